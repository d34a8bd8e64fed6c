import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { addFilterOptions, checkWindow } from '../options/filter-options';
import { filtersToQuery, type FilterFlags } from '../options/option-parsers';
import { renderReport } from '../output/table';

export function registerStatsCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('stats')
    .description('statistics over a window: totals by status, success rate, tools, risk levels, approvals, durations')
    .addHelpText('after', '\nExamples:\n  agent-ledger stats --from 7d\n  agent-ledger stats --from 2026-03-01 --to 2026-04-01 --json');
  addFilterOptions(cmd, { window: true });
  cmd.option('--json', 'the API answer as JSON').action(async (flags: Pick<FilterFlags, 'from' | 'to'> & { json?: boolean }, command: Command) => {
    checkWindow(flags);
    const body = await ctx.client(command).getJson('/v1/stats', filtersToQuery({ from: flags.from, to: flags.to }));
    ctx.out(flags.json ? JSON.stringify(body, null, 2) : renderReport(body));
  });
}
