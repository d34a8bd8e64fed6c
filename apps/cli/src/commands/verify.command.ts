import type { Command } from 'commander';
import { parseTrustedKeys, type TrustedKey } from '@agent-ledger/integrity';
import type { CommandContext } from '../cli.context';
import { CliError, ExitCode, UsageError } from '../errors/cli.error';
import { addFilterOptions, checkWindow } from '../options/filter-options';
import { collect, filtersToQuery } from '../options/option-parsers';
import { formatCount, formatTime, text } from '../output/format';
import { verifyOffline, type OfflineFailure } from '../verify/offline-verifier';
import { verifyWithArchive } from '../verify/archive-verification';
import { verifyWithWitness } from '../verify/witness-verification';

interface VerifyFlags {
  from?: string;
  to?: string;
  json?: boolean;
  offline?: boolean;
  events?: string;
  checkpoints?: string;
  publicKey?: string[];
  witness?: string;
  witnessToken?: string;
  tenant?: string;
  archive?: string;
}

/** What both verifications answer (the API's `GET /v1/integrity/verify` and the offline one). */
export interface VerifySummary {
  ok: boolean;
  /** ok | unverified | failed (an API without it: ok → ok, else failed). */
  status?: 'ok' | 'unverified' | 'failed';
  eventsChecked: number;
  uncovered?: { partition: number; fromSeq: string; toSeq: string; events: number }[];
  unverifiedReasons?: string[];
  newestCheckpointAge?: number | null;
  checkpointsChecked?: number;
  chains?: unknown[];
  lastCheckpoint?: { checkpointId?: string; createdAt?: string } | null;
  firstFailure?: OfflineFailure;
  failures?: OfflineFailure[];
}

/** Where a failure is: `events line 17 (partition 3, chain_seq 5, event …)`. */
export function failureLocation(f: OfflineFailure): string {
  const at = [
    f.partition !== undefined ? `partition ${f.partition}` : undefined,
    f.chainSeq !== undefined ? `chain_seq ${f.chainSeq}` : undefined,
    f.eventId ? `event ${f.eventId}` : undefined,
    f.checkpointId ? `checkpoint ${f.checkpointId}` : undefined,
  ].filter(Boolean);
  const line = f.file && f.line ? `${f.file} line ${f.line}` : undefined;
  return [line, at.length ? `(${at.join(', ')})` : undefined].filter(Boolean).join(' ') || 'the record';
}

/** The verdict of a verification: `status`, or from `ok` when the answer has none. */
export function statusOf(r: VerifySummary): 'ok' | 'unverified' | 'failed' {
  if (r.status === 'unverified' || r.status === 'failed') return r.status;
  return r.ok && (r.status === undefined || r.status === 'ok') ? 'ok' : 'failed';
}

const age = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? '' : `, ${formatCount(seconds)} s ago`);

/** The lines `verify` prints; the first says ok, UNVERIFIED or FAILED. */
export function describeVerification(r: VerifySummary): string[] {
  const chains = r.chains?.length ?? 0;
  const checked = `${formatCount(r.eventsChecked)} events in ${chains} chain${chains === 1 ? '' : 's'} against ${formatCount(r.checkpointsChecked ?? 0)} signed checkpoint${r.checkpointsChecked === 1 ? '' : 's'}`;
  const last = r.lastCheckpoint ? `last checkpoint ${text(r.lastCheckpoint.checkpointId)} at ${formatTime(r.lastCheckpoint.createdAt)}${age(r.newestCheckpointAge)}` : 'no signed checkpoint';
  const status = statusOf(r);
  if (status === 'ok') return [`ok: ${checked}; ${last}`];
  if (status === 'unverified') {
    const lines = [`UNVERIFIED: ${checked}; ${last}`];
    for (const reason of r.unverifiedReasons ?? []) lines.push(`  ${reason}`);
    for (const u of (r.uncovered ?? []).slice(0, 10)) lines.push(`  not yet signed: partition ${u.partition}, chain_seq ${u.fromSeq}..${u.toSeq} (${formatCount(u.events)} events)`);
    return lines;
  }
  const first = r.firstFailure ?? r.failures?.[0];
  const lines = [`FAILED: ${checked}; ${last}`];
  if (first) lines.push(`first failure: ${first.kind} at ${failureLocation(first)}: ${first.reason}`);
  const more = (r.failures?.length ?? 0) - 1;
  if (more > 0) {
    for (const f of (r.failures ?? []).slice(1, 10)) lines.push(`  also: ${f.kind} at ${failureLocation(f)}`);
    if (more > 9) lines.push(`  … and ${more - 9} more`);
  }
  return lines;
}

export function registerVerifyCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('verify')
    .description("recompute the tenant's hash chains and check them against the signed checkpoints (through the API, or offline over an export)")
    .option('--offline', 'verify exported files instead of asking the API (needs --events, --checkpoints, --public-key)')
    .option('--events <file>', 'offline: stored rows, JSON lines (agent-ledger export-chain --out)')
    .option('--checkpoints <file>', 'offline: signed checkpoints, JSON lines')
    .option('--public-key <base64>', 'offline: trusted Ed25519 public key, base64 SPKI DER, optionally ;from=<ISO-8601>;until=<ISO-8601> (repeatable; default LEDGER_SIGNING_PUBLIC_KEY)', collect)
    .option('--witness <url|dir>', "also check against the checkpoints the checkpoint witness holds (its URL, or its directory): detects rows and checkpoints deleted or rewritten in the database; verifies offline (an export is downloaded unless --offline)")
    .option('--witness-token <token>', 'with --witness: bearer token of the witness (WITNESS_READ_TOKEN)')
    .option('--archive <dir|s3://bucket/prefix>', "also verify the tenant's retention archives: each object against its manifest and its retention.purged record, and the chains from the first archived row through the live rows (S3: ARCHIVE_S3_ENDPOINT, ARCHIVE_S3_REGION, ARCHIVE_S3_ACCESS_KEY_ID, ARCHIVE_S3_SECRET_ACCESS_KEY)")
    .option('--tenant <uuid>', 'with --witness or --archive: the tenant (default: read from the exported rows or checkpoints)')
    .option('--json', 'the verification report as JSON')
    .addHelpText(
      'after',
      '\nExit code 0 when every row verifies and is covered by a signed checkpoint, 1 when the record does not verify (the first bad position is named), 8 when nothing failed but rows are not covered by a signed checkpoint yet (or a checkpoint source could not be read).\n\nExamples:\n  agent-ledger verify\n  agent-ledger verify --from 7d\n  agent-ledger verify --offline --events chain.jsonl --checkpoints chain.checkpoints.jsonl --public-key MCowBQYDK2VwAyEA…\n  agent-ledger verify --witness http://checkpoint-witness:3304 --public-key MCowBQYDK2VwAyEA…\n  agent-ledger verify --archive s3://ledger-archive/prod --public-key MCowBQYDK2VwAyEA…',
    );
  addFilterOptions(cmd, { window: true });
  cmd.action(async (flags: VerifyFlags, command: Command) => {
    let report: VerifySummary;
    if (flags.offline || flags.witness || flags.archive) {
      if (flags.archive && flags.witness) throw new UsageError('--archive and --witness are separate verifications: run one, then the other');
      if (flags.from || flags.to) throw new UsageError('--from/--to apply to the API verification; an offline verification checks the whole exported file');
      if (flags.offline && (!flags.events || (!flags.checkpoints && !flags.witness))) throw new UsageError('verify --offline needs --events <file> and --checkpoints <file> (or --witness)');
      if (!flags.offline && (flags.events || flags.checkpoints)) throw new UsageError('--events and --checkpoints go with --offline');
      const keys = flags.publicKey ?? ctx.io.env.publicKeys;
      if (!keys?.length) throw new UsageError('verify --offline needs --public-key <base64 SPKI DER> (or LEDGER_SIGNING_PUBLIC_KEY)');
      let publicKeys: TrustedKey[];
      try {
        publicKeys = parseTrustedKeys(keys);
      } catch (err) {
        throw new UsageError(`--public-key: ${(err as Error).message}`);
      }
      if (flags.archive) {
        const client = flags.offline ? undefined : ctx.client(command);
        const r = await verifyWithArchive({ archive: flags.archive, tenant: flags.tenant, events: flags.events, checkpoints: flags.checkpoints, client, io: ctx.io, publicKeys });
        ctx.err(`archive: ${r.archive.objects} archive${r.archive.objects === 1 ? '' : 's'} (${formatCount(r.archive.events)} events) of tenant ${r.archive.tenantId} in ${r.archive.location}`);
        report = r;
      } else if (flags.witness) {
        const client = flags.offline ? undefined : ctx.client(command);
        const r = await verifyWithWitness({ witness: flags.witness, witnessToken: flags.witnessToken, tenant: flags.tenant, events: flags.events, checkpoints: flags.checkpoints, client, io: ctx.io, publicKeys });
        ctx.err(`witness: ${r.witness.checkpoints} checkpoint${r.witness.checkpoints === 1 ? '' : 's'} of tenant ${r.witness.tenantId} from ${r.witness.source}${r.witness.checkpoints ? '' : ' (it holds none: nothing was checked against it)'}`);
        report = r;
      } else report = await verifyOffline(flags.events!, flags.checkpoints!, publicKeys);
    } else {
      if (flags.events || flags.checkpoints || flags.publicKey) throw new UsageError('--events, --checkpoints and --public-key go with --offline');
      if (flags.tenant || flags.witnessToken) throw new UsageError('--tenant and --witness-token go with --witness (--tenant also with --archive)');
      checkWindow(flags);
      report = await ctx.client(command).getJson<VerifySummary>('/v1/integrity/verify', filtersToQuery({ from: flags.from, to: flags.to }));
      if (typeof report?.ok !== 'boolean') throw new CliError(ExitCode.ApiError, 'the audit API answered the verification without an "ok" field');
    }
    const lines = describeVerification(report);
    ctx.out(flags.json ? JSON.stringify(report, null, 2) : lines.join('\n'));
    const status = statusOf(report);
    if (status === 'failed') throw new CliError(ExitCode.VerificationFailed, lines[1] ?? 'the record does not verify');
    if (status === 'unverified') throw new CliError(ExitCode.Unverified, lines[1]?.trim() ?? 'the record is not covered by a signed checkpoint');
  });
}
