import { Argument, InvalidArgumentError, Option, type Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { UsageError } from '../errors/cli.error';
import type { DeadLetterReplayAnswer } from '../http/audit-api.types';
import { checkWindow } from '../options/filter-options';
import { integerIn, parseInstant } from '../options/option-parsers';
import { formatTime, pick } from '../output/format';
import { renderTable, type Column } from '../output/table';

/** Columns of `agent-ledger dead-letters`. */
export const DEAD_LETTER_COLUMNS: readonly Column[] = [
  { header: 'TIME', value: (l) => pick(l, 'deadLetteredAt'), display: formatTime },
  { header: 'ID', value: (l) => pick(l, 'id') },
  { header: 'CODE', value: (l) => pick(l, 'reasonCode'), max: 20 },
  { header: 'EVENT', value: (l) => pick(l, 'eventId'), max: 36 },
  { header: 'TYPE', value: (l) => pick(l, 'eventType'), max: 24 },
  { header: 'REPLAYED', value: (l) => pick(l, 'replayedAt'), display: (v) => (v ? formatTime(v) : '') },
  { header: 'REASON', value: (l) => pick(l, 'reason'), max: 80 },
];

interface ListFlags {
  reason?: string;
  replayed?: 'true' | 'false';
  sourceTopic?: string;
  from?: string;
  to?: string;
  limit: number;
  all?: boolean;
  json?: boolean;
}

type ReplayAnswer = DeadLetterReplayAnswer;

const letterId = (v: string, previous: string[] = []): string[] => {
  if (!/^[1-9]\d{0,17}$/.test(v)) throw new InvalidArgumentError(`"${v}" is not a dead letter id (digits, as "agent-ledger dead-letters" lists them).`);
  return [...previous, v];
};

export function registerDeadLettersCommand(program: Command, ctx: CommandContext): void {
  const group = program
    .command('dead-letters')
    .description('messages naming your tenant that the ledger could not apply: list them (default) or replay them after a fix')
    .addHelpText(
      'after',
      '\nExamples:\n  agent-ledger dead-letters --replayed false\n  agent-ledger dead-letters --reason schema --from 24h --json\n  agent-ledger dead-letters replay 41 42      (a key with scope admin)\n  agent-ledger dead-letters replay --all',
    );
  group
    .command('list', { isDefault: true })
    .description('dead letters, newest first: time, id, reason code, event id and type, replay time, reason')
    .option('--reason <code>', 'reason code, e.g. schema, invalid_json, unstorable, unknown_tenant')
    .addOption(new Option('--replayed <bool>', 'only letters replayed already (true) or not yet (false)').choices(['true', 'false']))
    .option('--source-topic <topic>', 'the topic the message was read from')
    .option('--from <time>', 'dead-lettered from this instant on: RFC 3339, a date (UTC) or a duration back (15m, 24h, 7d)', (v) => parseInstant(v))
    .option('--to <time>', 'dead-lettered before this instant (same forms as --from)', (v) => parseInstant(v))
    .option('--limit <n>', 'print at most n letters', integerIn(1, 10_000_000), 50)
    .option('--all', 'print every matching letter (ignores --limit)')
    .option('--json', 'one JSON object per line (JSON lines) instead of a table')
    .action(async (flags: ListFlags, command: Command) => {
      checkWindow(flags);
      const query = { reasonCode: flags.reason, replayed: flags.replayed, sourceTopic: flags.sourceTopic, from: flags.from, to: flags.to };
      const items = ctx.client(command).paginate('/v1/dead-letters', query, { max: flags.all ? undefined : flags.limit, pageSize: 500 });
      if (flags.json) {
        for await (const item of items) ctx.out(JSON.stringify(item));
        return;
      }
      const rows: unknown[] = [];
      for await (const item of items) rows.push(item);
      if (!rows.length) {
        ctx.err('no dead letters match');
        return;
      }
      ctx.out(renderTable(DEAD_LETTER_COLUMNS, rows));
      if (!flags.all && rows.length === flags.limit) ctx.err(`(first ${rows.length}; --limit N or --all for more)`);
    });

  group
    .command('replay')
    .description('republish dead letters to their source topics after a fix (needs a key with scope admin); safe to repeat')
    .addArgument(new Argument('[ids...]', 'ids of the letters to replay').argParser(letterId))
    .option('--all', 'every letter not replayed yet (at most 500 per request; repeated until none is left)')
    .option('--json', 'the API answers as JSON')
    .action(async (ids: string[] | undefined, flags: { all?: boolean; json?: boolean }, command: Command) => {
      if (!!ids?.length === !!flags.all) throw new UsageError('give the ids of the letters to replay, or --all');
      const client = ctx.client(command);
      const total: ReplayAnswer = { replayed: 0, skipped: [], remaining: 0 };
      for (;;) {
        const answer = await client.postJson<ReplayAnswer>('/v1/dead-letters/replay', flags.all ? { all: true } : { ids });
        if (flags.json) ctx.out(JSON.stringify(answer));
        total.replayed += answer.replayed;
        total.skipped.push(...answer.skipped);
        total.remaining = answer.remaining;
        // --all goes on while a request made progress and letters remain.
        if (!flags.all || !answer.replayed || !answer.remaining) break;
      }
      if (flags.json) return;
      ctx.out(`replayed ${total.replayed} dead letter${total.replayed === 1 ? '' : 's'}`);
      for (const s of total.skipped) ctx.out(`skipped ${s.id}: ${s.reason === 'value_omitted' ? 'value_omitted (the message was too large to keep; it can only be resent by its producer)' : s.reason}`);
    });
}
