import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { integerIn } from '../options/option-parsers';
import { formatDuration, formatTime, pick } from '../output/format';
import { renderKeyValues, renderTable, type Column } from '../output/table';
import { addStatsWindowOptions, statsQuery, type StatsWindowFlags } from './stats.command';

const WINDOW_MS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 } as const;

/**
 * One window for both requests of `performance` and `errors`: --from/--to, or --window (default 24h)
 * ending now, sent as explicit instants so the statistics and the listed actions cover the same span.
 */
export function resolvedWindow(flags: StatsWindowFlags, now = Date.now()): { from: string; to: string } {
  const to = flags.to ?? new Date(now).toISOString();
  return { from: flags.from ?? new Date(Date.parse(to) - WINDOW_MS[flags.window ?? '24h']).toISOString(), to };
}

const ms = (v: unknown) => formatDuration(v);

export const DURATION_COLUMNS: readonly Column[] = [
  { header: 'TOOL', value: (d) => pick(d, 'tool'), max: 40 },
  { header: 'N', value: (d) => pick(d, 'n') },
  { header: 'AVG', value: (d) => pick(d, 'avgMs'), display: ms },
  { header: 'MIN', value: (d) => pick(d, 'minMs'), display: ms },
  { header: 'MAX', value: (d) => pick(d, 'maxMs'), display: ms },
  { header: 'P95', value: (d) => pick(d, 'p95'), display: ms },
];

export const SLOWEST_COLUMNS: readonly Column[] = [
  { header: 'DURATION', value: (a) => pick(a, 'durationMs'), display: ms },
  { header: 'TOOL', value: (a) => pick(a, 'tool.name'), max: 40 },
  { header: 'STATUS', value: (a) => pick(a, 'status') },
  { header: 'ACTION', value: (a) => pick(a, 'actionId'), max: 36 },
  { header: 'TIME', value: (a) => pick(a, 'firstEventAt'), display: formatTime },
];

interface PerformanceFlags extends StatsWindowFlags {
  limit: number;
  json?: boolean;
}

export function registerPerformanceCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('performance')
    .description('durations per tool (average, min, max, p95) and the slowest operations of a window (default the last 24 h)')
    .addHelpText('after', '\nExamples:\n  agent-ledger performance --window 7d\n  agent-ledger performance --from 2026-03-01 --limit 20 --json');
  addStatsWindowOptions(cmd)
    .option('--limit <n>', 'slowest operations to list', integerIn(1, 1_000), 10)
    .option('--json', 'one JSON object: window, duration, durations, slowest')
    .action(async (flags: PerformanceFlags, command: Command) => {
      const w = resolvedWindow(flags);
      const client = ctx.client(command);
      const stats = await client.getJson<{ duration: unknown; durations: unknown[] }>('/v1/stats', statsQuery(w));
      const slowest = await client.getJson<{ items: unknown[] }>('/v1/actions', { ...w, sort: 'duration_desc', limit: String(flags.limit) });
      if (flags.json) {
        ctx.out(JSON.stringify({ window: w, duration: stats.duration, durations: stats.durations, slowest: slowest.items }, null, 2));
        return;
      }
      const overall = stats.duration as Record<string, unknown>;
      ctx.out(`window  ${w.from} – ${w.to}`);
      ctx.out(renderKeyValues([['actions with a duration', overall.n], ['average', ms(overall.avgMs)], ['min', ms(overall.minMs)], ['max', ms(overall.maxMs)], ['p95', ms(overall.p95)]]));
      ctx.out(`\ndurations per tool\n${stats.durations.length ? renderTable(DURATION_COLUMNS, stats.durations) : '(none)'}`);
      ctx.out(`\nslowest operations\n${slowest.items.length ? renderTable(SLOWEST_COLUMNS, slowest.items) : '(none)'}`);
    });
}
