import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { integerIn } from '../options/option-parsers';
import { formatTime, pick } from '../output/format';
import { renderKeyValues, renderTable, type Column } from '../output/table';
import { resolvedWindow } from './performance.command';
import { addStatsWindowOptions, statsQuery, type StatsWindowFlags } from './stats.command';

export const FAILURE_COLUMNS: readonly Column[] = [
  { header: 'TOOL', value: (f) => pick(f, 'tool'), max: 40 },
  { header: 'ERROR CODE', value: (f) => pick(f, 'errorCode'), max: 40 },
  { header: 'FAILED', value: (f) => pick(f, 'n') },
];

export const FAILED_ACTION_COLUMNS: readonly Column[] = [
  { header: 'TIME', value: (a) => pick(a, 'firstEventAt'), display: formatTime },
  { header: 'ACTION', value: (a) => pick(a, 'actionId'), max: 36 },
  { header: 'TOOL', value: (a) => pick(a, 'tool.name'), max: 32 },
  { header: 'CODE', value: (a) => pick(a, 'error.code'), max: 24 },
  { header: 'MESSAGE', value: (a) => pick(a, 'error.message'), max: 60 },
];

interface ErrorsFlags extends StatsWindowFlags {
  limit: number;
  json?: boolean;
}

export function registerErrorsCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('errors')
    .description('failures of a window (default the last 24 h): counts by tool and error code, and the most recent failed actions')
    .addHelpText('after', '\nExamples:\n  agent-ledger errors --window 7d\n  agent-ledger errors --from 2026-03-01 --limit 50 --json');
  addStatsWindowOptions(cmd)
    .option('--limit <n>', 'recent failed actions to list', integerIn(1, 1_000), 20)
    .option('--json', 'one JSON object: window, failed, failures, recent')
    .action(async (flags: ErrorsFlags, command: Command) => {
      const w = resolvedWindow(flags);
      const client = ctx.client(command);
      const stats = await client.getJson<{ totals: { actions: number; byStatus: Record<string, number> }; failures: unknown[] }>('/v1/stats', statsQuery(w));
      const recent = await client.getJson<{ items: unknown[] }>('/v1/actions', { ...w, status: 'failed', limit: String(flags.limit) });
      const failed = stats.totals.byStatus.failed ?? 0;
      if (flags.json) {
        ctx.out(JSON.stringify({ window: w, actions: stats.totals.actions, failed, failures: stats.failures, recent: recent.items }, null, 2));
        return;
      }
      ctx.out(`window  ${w.from} – ${w.to}`);
      ctx.out(renderKeyValues([['actions', stats.totals.actions], ['failed', failed]]));
      ctx.out(`\nfailures by tool and error code\n${stats.failures.length ? renderTable(FAILURE_COLUMNS, stats.failures) : '(none)'}`);
      ctx.out(`\nrecent failed actions\n${recent.items.length ? renderTable(FAILED_ACTION_COLUMNS, recent.items) : '(none)'}`);
    });
}
