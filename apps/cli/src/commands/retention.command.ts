import { checkRetentionDuration, type RetentionRunView as RetentionRun, type RetentionView } from '@agent-ledger/contracts';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { archiveLocation, CliError, ExitCode, UsageError } from '../errors/cli.error';
import type { LedgerClient } from '../http/ledger.client';
import { formatBytes, formatCount, formatTime, pick } from '../output/format';
import { renderKeyValues, renderTable, type Column } from '../output/table';

/** How often `retention run --wait` asks how the run is going. */
export const RUN_POLL_MS = 500;
const DEFAULT_WAIT = '60s';

/** Characters of a SHA-256 a table shows (--json prints all 64). */
const SHA_SHOWN = 12;

/** Columns of the purges `agent-ledger retention show` lists, newest first. */
export const PURGE_COLUMNS: readonly Column[] = [
  { header: 'CREATED', value: (p) => pick(p, 'createdAt'), display: formatTime },
  { header: 'PURGE', value: (p) => pick(p, 'purgeId'), max: 36 },
  { header: '#', value: (p) => pick(p, 'ordinal') },
  { header: 'STATE', value: (p) => pick(p, 'state') },
  { header: 'EVENTS', value: (p) => pick(p, 'events'), display: (v) => (typeof v === 'number' ? formatCount(v) : '-') },
  { header: 'HORIZON', value: (p) => pick(p, 'horizon'), display: formatTime },
  { header: 'PURGED', value: (p) => pick(p, 'purgedAt'), display: (v) => (v ? formatTime(v) : '') },
  { header: 'ARCHIVE OBJECT', value: (p) => pick(p, 'archive.object'), max: 60 },
  { header: 'SHA256', value: (p) => pick(p, 'archive.sha256'), display: (v) => (typeof v === 'string' ? `${v.slice(0, SHA_SHOWN)}…` : '-') },
];

/** `--retain-for`: an ISO 8601 duration from PT1S to P100Y (upper-cased: `p30d` → `P30D`), checked as the API checks it. */
export function parseRetainFor(value: string): string {
  const v = value.trim().toUpperCase();
  const check = checkRetentionDuration(v, 'the duration');
  if (!check.ok) throw new InvalidArgumentError(`${check.message}.`);
  return v;
}

const WAIT_UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** `--wait-timeout`: `500ms`, `60s`, `5m`, `1h` (at most a day) → milliseconds. */
export function parseWaitTimeout(value: string): number {
  const m = /^(\d+)(ms|s|m|h)$/.exec(value.trim());
  const ms = m ? Number(m[1]) * WAIT_UNIT_MS[m[2]] : NaN;
  if (!(ms >= 100 && ms <= 86_400_000)) throw new InvalidArgumentError('expected a duration from 100ms to 24h such as 30s, 5m or 1h.');
  return ms;
}

const onOff = (name: string, what: string) => new Option(`--${name} <on|off>`, what).choices(['on', 'off']);

export function registerRetentionCommand(program: Command, ctx: CommandContext): void {
  const group = program
    .command('retention')
    .description('the retention policy (how long events are kept, archiving, legal hold), its purges, and a run on demand (needs a key with scope admin)')
    .addHelpText(
      'after',
      '\nExamples:\n  agent-ledger retention show\n  agent-ledger retention set --retain-for P30D --archive on\n  agent-ledger retention set --legal-hold on\n  agent-ledger retention run --wait --wait-timeout 2m',
    );

  group
    .command('show')
    .description('the policy, the retention horizon (the oldest instant still kept) and the newest purges')
    .option('--json', 'the API answer as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const view = await ctx.client(command).getJson<RetentionView>('/v1/retention');
      if (flags.json) {
        ctx.out(JSON.stringify(view, null, 2));
        return;
      }
      ctx.out(renderPolicy(view));
      const purges = view.purges ?? [];
      if (!purges.length) {
        ctx.out('\nno purge yet');
        return;
      }
      ctx.out(`\npurges, newest first\n${renderTable(PURGE_COLUMNS, purges)}`);
      const locations = [...new Set(purges.map((p) => p.archive?.location).filter((l): l is string => !!l))];
      if (locations.length) ctx.out(`\narchived in ${locations.join(', ')}`);
    });

  group
    .command('set')
    .description('change the policy (at least one option); the change is recorded in the ledger')
    .option('--retain-for <duration>', 'keep events this long: an ISO 8601 duration (P90D, P1Y, PT12H; PT5S for tests)', parseRetainFor)
    .addOption(onOff('archive', 'archive events (gzip JSON lines and a manifest) before purging them'))
    .addOption(onOff('legal-hold', 'on: nothing is purged while it is set'))
    .option('--json', 'the API answer as JSON')
    .action(async (flags: { retainFor?: string; archive?: 'on' | 'off'; legalHold?: 'on' | 'off'; json?: boolean }, command: Command) => {
      const body = {
        ...(flags.retainFor !== undefined ? { retainFor: flags.retainFor } : {}),
        ...(flags.archive ? { archive: flags.archive === 'on' } : {}),
        ...(flags.legalHold ? { legalHold: flags.legalHold === 'on' } : {}),
      };
      if (!Object.keys(body).length) throw new UsageError('give at least one of --retain-for, --archive, --legal-hold');
      const view = await ctx.client(command).putJson<RetentionView>('/v1/retention', body);
      ctx.out(flags.json ? JSON.stringify(view, null, 2) : renderPolicy(view));
    });

  group
    .command('run')
    .description('start a retention run for this tenant now (archive, then purge what the policy no longer keeps)')
    .option('--wait', 'follow the run until it ends; exit code 3 if it failed, 5 if it did not end in time')
    .option('--wait-timeout <duration>', `how long --wait waits (e.g. 30s, 5m; default ${DEFAULT_WAIT}); implies --wait`, parseWaitTimeout)
    .option('--json', 'the API answer as JSON (with --wait: the run as it ended)')
    .action(async (flags: { wait?: boolean; waitTimeout?: number; json?: boolean }, command: Command) => {
      const client = ctx.client(command);
      const started = await client.postJson<RetentionRun>('/v1/retention/runs', {});
      if (!flags.wait && flags.waitTimeout === undefined) {
        if (flags.json) {
          ctx.out(JSON.stringify(started, null, 2));
          return;
        }
        ctx.out(`retention run ${started.runId} ${started.state}`);
        ctx.err('(--wait to follow it to its end)');
        return;
      }
      const timeoutMs = flags.waitTimeout ?? parseWaitTimeout(DEFAULT_WAIT);
      const run = await waitForRun(client, started, timeoutMs, ctx.io.signal);
      if (flags.json) ctx.out(JSON.stringify(run, null, 2));
      if (run.state === 'failed') throw new CliError(ExitCode.ApiError, `retention run ${run.runId} failed: ${run.error ?? 'no reason given'}`);
      if (run.state !== 'completed') {
        throw new CliError(
          ExitCode.Unreachable,
          `retention run ${run.runId} did not end within ${formatWait(timeoutMs)} (still ${run.state}); it goes on on the server: "agent-ledger retention show" lists its purge once done, or raise --wait-timeout`,
        );
      }
      if (!flags.json) ctx.out(describeOutcome(run));
    });
}

/** Asks for the run every {@link RUN_POLL_MS} until it completed or failed, or `timeoutMs` passed (then answers the last state seen). */
async function waitForRun(client: LedgerClient, started: RetentionRun, timeoutMs: number, signal?: AbortSignal): Promise<RetentionRun> {
  const deadline = Date.now() + timeoutMs;
  let run = started;
  while (run.state !== 'completed' && run.state !== 'failed') {
    const left = deadline - Date.now();
    if (left <= 0) return run;
    await sleep(Math.min(RUN_POLL_MS, left), signal);
    run = await client.getJson<RetentionRun>(`/v1/retention/runs/${encodeURIComponent(started.runId)}`);
  }
  return run;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

const formatWait = (ms: number) => (ms % 1_000 ? `${ms}ms` : `${ms / 1_000}s`);
const onOffText = (v: unknown) => (v === true ? 'on' : v === false ? 'off' : '-');

/** The policy and the horizon as aligned `key  value` lines. */
export function renderPolicy(view: RetentionView): string {
  const p = view.policy ?? ({} as Partial<RetentionView['policy']>);
  return renderKeyValues([
    ['retain for', `${p.retainFor ?? '-'}${p.default ? ' (the default)' : ''}`],
    ['archive', onOffText(p.archive)],
    ['legal hold', p.legalHold ? 'on (nothing is purged while it is set)' : onOffText(p.legalHold)],
    ['updated', p.updatedAt ? formatTime(p.updatedAt) : 'never (the default policy)'],
    ['horizon', view.horizon ? `${formatTime(view.horizon)} (older events were purged)` : 'none (nothing purged yet)'],
  ]);
}

/** One line on how a completed run ended. */
export function describeOutcome(run: RetentionRun): string {
  const r = run.result;
  switch (r?.outcome) {
    case 'purged': {
      const archive = archiveLocation(r.archive);
      const sha = pick(r.archive, 'sha256');
      const bytes = pick(r.archive, 'bytes');
      const details = [typeof sha === 'string' ? `sha256 ${sha.slice(0, SHA_SHOWN)}…` : '', typeof bytes === 'number' ? formatBytes(bytes) : ''].filter(Boolean).join(', ');
      const events = typeof r.events === 'number' ? `${formatCount(r.events)} event${r.events === 1 ? '' : 's'}` : 'events';
      return `retention run ${run.runId}: purged ${events}${r.purgeId ? ` (purge ${r.purgeId})` : ''}${archive ? `; archive ${archive}${details ? ` (${details})` : ''}` : '; not archived (archive is off)'}`;
    }
    case 'nothing_to_purge':
      return `retention run ${run.runId}: nothing to purge (no event is older than the policy keeps)`;
    case 'legal_hold':
      return `retention run ${run.runId}: nothing purged, a legal hold is set ("agent-ledger retention set --legal-hold off" lifts it)`;
    case 'busy':
      return `retention run ${run.runId}: nothing done, another retention run of this tenant was in progress; try again shortly`;
    default:
      return `retention run ${run.runId}: completed${r?.outcome ? ` (${r.outcome})` : ''}`;
  }
}
