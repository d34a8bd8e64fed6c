import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { addFilterOptions, checkWindow } from '../options/filter-options';
import { filtersToQuery, type FilterFlags } from '../options/option-parsers';
import { renderReport } from '../output/table';

/** Named windows of GET /v1/stats, ending now. */
export const STATS_WINDOWS = ['1h', '24h', '7d', '30d', '90d'] as const;

export interface StatsWindowFlags extends Pick<FilterFlags, 'from' | 'to'> {
  window?: (typeof STATS_WINDOWS)[number];
}

/** --window, and --from/--to, on a command over a statistics window (at most 90 days; default the last 24 h). */
export function addStatsWindowOptions(cmd: Command): Command {
  addFilterOptions(cmd, { window: true });
  return cmd.addOption(new Option('--window <span>', 'a window ending now (instead of --from)').choices(STATS_WINDOWS).conflicts('from'));
}

/** The query of GET /v1/stats for the flags. */
export function statsQuery(flags: StatsWindowFlags): Record<string, string> {
  checkWindow(flags);
  return { ...filtersToQuery({ from: flags.from, to: flags.to }), ...(flags.window ? { window: flags.window } : {}) };
}

export function registerStatsCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('stats')
    .description(
      'statistics over a window (default the last 24 h, at most 90 days): totals, both success rates, breakdowns by tool, provider, agent and actor, approvals and decision time, durations, failures, signals, events by type',
    )
    .addHelpText('after', '\nExamples:\n  agent-ledger stats --window 7d\n  agent-ledger stats --from 2026-03-01 --to 2026-04-01 --json');
  addStatsWindowOptions(cmd);
  cmd.option('--json', 'the API answer as JSON').action(async (flags: StatsWindowFlags & { json?: boolean }, command: Command) => {
    const body = await ctx.client(command).getJson('/v1/stats', statsQuery(flags));
    ctx.out(flags.json ? JSON.stringify(body, null, 2) : renderReport(body));
  });
}
