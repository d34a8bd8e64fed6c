import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { integerIn } from '../options/option-parsers';
import { formatDuration, formatTime, pick } from '../output/format';
import { ACTION_COLUMNS, renderKeyValues, renderTable } from '../output/table';
import { ESCALATION_COLUMNS } from './escalations.command';

interface SessionFlags {
  limit: number;
  json?: boolean;
}

/** `{a: 2, b: 1}` as `a 2, b 1` (counts by status, risk level, decision). */
export function formatCounts(value: unknown): string {
  if (!value || typeof value !== 'object') return '';
  return Object.entries(value as Record<string, unknown>)
    .filter(([, n]) => Number(n) > 0)
    .map(([k, n]) => `${k} ${String(n)}`)
    .join(', ');
}

/** The key-value lines of a session summary (`GET /v1/sessions/:id/summary`). */
export function sessionSummaryLines(summary: Record<string, unknown>): [string, unknown][] {
  const escalations = pick(summary, 'escalations');
  return [
    ['session', pick(summary, 'sessionId')],
    ['actions', pick(summary, 'actions')],
    ['events', pick(summary, 'events')],
    ['by status', formatCounts(pick(summary, 'byStatus'))],
    ['by risk', formatCounts(pick(summary, 'byRiskLevel'))],
    ['approvals', formatCounts(pick(summary, 'byApprovalDecision'))],
    ['total duration', formatDuration(pick(summary, 'totalDurationMs'))],
    ['anomalies', pick(summary, 'anomalies')],
    ['first event', formatTime(pick(summary, 'firstEventAt'))],
    ['last event', formatTime(pick(summary, 'lastEventAt'))],
    ['escalations', escalationCounts(escalations)],
  ];
}

/** `{open, acknowledged, resolved, active}` of the summary as `open 2, resolved 1` (none: empty). */
function escalationCounts(value: unknown): string {
  if (Array.isArray(value)) return String(value.length);
  const e = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  return formatCounts({ open: e.open, acknowledged: e.acknowledged, resolved: e.resolved });
}

/** The escalations of the summary still open or acknowledged. */
function activeEscalations(summary: Record<string, unknown>): unknown[] {
  const active = pick(summary, 'escalations.active');
  return Array.isArray(active) ? active : [];
}

export function registerSessionCommand(program: Command, ctx: CommandContext): void {
  program
    .command('session')
    .description('one session (conversation): its summary (counts, duration, escalations), its actions, newest first, and its active escalations')
    .argument('<sessionId>', 'the session id')
    .option('--limit <n>', 'list at most n of its actions', integerIn(1, 10_000), 100)
    .option('--json', '{"summary":…,"actions":[…]} as JSON')
    .addHelpText('after', '\nExamples:\n  agent-ledger session conv-7\n  agent-ledger session conv-7 --json | jq .summary.byStatus')
    .action(async (sessionId: string, flags: SessionFlags, command: Command) => {
      const client = ctx.client(command);
      // An unknown session answers 404 session_not_found (exit code 3) before its actions are asked for.
      const summary = await client.getJson<Record<string, unknown>>(`/v1/sessions/${encodeURIComponent(sessionId)}/summary`);
      const actions: unknown[] = [];
      for await (const item of client.paginate('/v1/actions', { sessionId }, { max: flags.limit, pageSize: Math.min(flags.limit, 1_000) })) actions.push(item);
      if (flags.json) {
        ctx.out(JSON.stringify({ summary, actions }, null, 2));
        return;
      }
      ctx.out(renderKeyValues(sessionSummaryLines(summary)));
      ctx.out('');
      ctx.out(actions.length ? `actions (${actions.length})\n${renderTable(ACTION_COLUMNS, actions)}` : 'actions: none');
      const active = activeEscalations(summary);
      if (active.length) ctx.out(`\nactive escalations (${active.length})\n${renderTable(ESCALATION_COLUMNS, active)}`);
      const total = Number(pick(summary, 'actions'));
      if (Number.isFinite(total) && actions.length < total) ctx.err(`(first ${actions.length} of ${total}; --limit N for more)`);
    });
}
