import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import { ESCALATION_REASONS } from '@agent-ledger/contracts';
import type { CommandContext } from '../cli.context';
import type { EscalationChangeAnswer } from '../http/audit-api.types';
import { integerIn } from '../options/option-parsers';
import { formatTime, pick } from '../output/format';
import { renderTable, type Column } from '../output/table';

/** Columns of `agent-ledger escalations list`. */
export const ESCALATION_COLUMNS: readonly Column[] = [
  { header: 'OPENED', value: (e) => pick(e, 'openedAt', 'createdAt'), display: formatTime },
  { header: 'ID', value: (e) => pick(e, 'escalationId', 'id'), max: 36 },
  { header: 'STATUS', value: (e) => pick(e, 'status') },
  { header: 'REASON', value: (e) => pick(e, 'reason'), max: 24 },
  { header: 'SEVERITY', value: (e) => pick(e, 'severity') },
  { header: 'SESSION', value: (e) => pick(e, 'sessionId'), max: 24 },
  { header: 'ACTION', value: (e) => pick(e, 'actionId'), max: 24 },
  { header: 'SUMMARY', value: (e) => pick(e, 'summary', 'note'), max: 60 },
];

const STATUSES = ['open', 'acknowledged', 'resolved'] as const;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const escalationId = (v: string): string => {
  if (!UUID.test(v)) throw new InvalidArgumentError(`"${v}" is not an escalation id (a UUID, as "agent-ledger escalations list" shows them).`);
  return v.toLowerCase();
};

interface ListFlags {
  status?: string;
  reason?: string;
  session?: string;
  scope?: string;
  limit: number;
  json?: boolean;
}

type ChangeAnswer = EscalationChangeAnswer;

export function registerEscalationsCommand(program: Command, ctx: CommandContext): void {
  const group = program
    .command('escalations')
    .description('escalations of your tenant: list them (default), acknowledge or resolve one (a key with scope admin)')
    .addHelpText('after', '\nExamples:\n  agent-ledger escalations --status open\n  agent-ledger escalations list --reason action_failed --limit 20 --json\n  agent-ledger escalations ack 3f2a… --note "on it"\n  agent-ledger escalations resolve 3f2a… --note "refunded by hand"');
  group
    .command('list', { isDefault: true })
    .description('escalations, newest first: opened, id, status, reason, severity, session, action, summary')
    .addOption(new Option('--status <status>', 'only escalations in this state').choices(STATUSES))
    .addOption(new Option('--reason <reason>', 'only escalations opened for this reason').choices(ESCALATION_REASONS))
    .option('--session <id>', 'only escalations of this session')
    .addOption(new Option('--scope <scope>', 'only session escalations, or only tenant-wide alerts').choices(['session', 'tenant']))
    .option('--limit <n>', 'print at most n escalations', integerIn(1, 100_000), 50)
    .option('--json', 'one JSON object per line (JSON lines) instead of a table')
    .action(async (flags: ListFlags, command: Command) => {
      const query = { status: flags.status, reason: flags.reason, sessionId: flags.session, scope: flags.scope };
      const items = ctx.client(command).paginate('/v1/escalations', query, { max: flags.limit, pageSize: Math.min(flags.limit, 1_000) });
      if (flags.json) {
        for await (const item of items) ctx.out(JSON.stringify(item));
        return;
      }
      const rows: unknown[] = [];
      for await (const item of items) rows.push(item);
      if (!rows.length) {
        ctx.err('no escalations match');
        return;
      }
      ctx.out(renderTable(ESCALATION_COLUMNS, rows));
      if (rows.length === flags.limit) ctx.err(`(first ${rows.length}; --limit N for more)`);
    });

  const change = (name: 'ack' | 'resolve', description: string, body: (note?: string) => Record<string, string>) =>
    group
      .command(name)
      .description(description)
      .addArgument(new Argument('<escalationId>', 'the escalation id (a UUID)').argParser(escalationId))
      .option('--note <text>', 'a note recorded with the change')
      .option('--json', 'the API answer as JSON')
      .action(async (id: string, flags: { note?: string; json?: boolean }, command: Command) => {
        const path = `/v1/escalations/${id}/${name === 'ack' ? 'acknowledge' : 'resolve'}`;
        const answer = await ctx.client(command).postJson<ChangeAnswer>(path, body(flags.note));
        if (flags.json) ctx.out(JSON.stringify(answer));
        else ctx.out(`escalation ${answer.escalationId} ${answer.status} (event ${answer.eventId}; the escalation's state follows once the ledger has recorded it)`);
      });

  change('ack', 'acknowledge an open escalation (a key with scope admin)', (note): Record<string, string> => (note !== undefined ? { note } : {}));
  change('resolve', 'resolve an escalation (a key with scope admin); an already resolved one answers 409', (note): Record<string, string> => (note !== undefined ? { notes: note } : {}));
}
