import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { addFilterOptions, checkWindow } from '../options/filter-options';
import { filtersToQuery, integerIn, type FilterFlags } from '../options/option-parsers';
import { csvHeader, csvRow } from '../output/csv';
import { ACTION_COLUMNS, renderTable } from '../output/table';

interface ActionsFlags extends FilterFlags {
  sort?: 'recent' | 'duration_desc';
  limit: number;
  all?: boolean;
  pageSize: number;
  json?: boolean;
  csv?: boolean;
}

/** Upper bound of `limit` per request (issue 4: `limit` up to 1,000). */
export const API_PAGE_MAX = 1_000;

export function registerActionsCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('actions')
    .description('list actions, newest first, following the API cursors page by page')
    .addHelpText(
      'after',
      '\nExamples:\n  agent-ledger actions --status failed --risk critical --from 24h\n  agent-ledger actions --session conv-7 --json | jq .actionId\n  agent-ledger actions --sort duration_desc --limit 20   (the slowest operations)\n  agent-ledger actions --all --csv > actions.csv',
    );
  addFilterOptions(cmd);
  cmd
    .addOption(new Option('--sort <order>', 'recent (newest first) or duration_desc (slowest first; actions without a duration are left out)').choices(['recent', 'duration_desc']))
    .option('--limit <n>', 'print at most n actions', integerIn(1, 10_000_000), 50)
    .option('--all', 'print every matching action (ignores --limit)')
    .option('--page-size <n>', `actions per API request (at most ${API_PAGE_MAX})`, integerIn(1, API_PAGE_MAX), 500)
    .addOption(new Option('--json', 'one JSON object per line (JSON lines) instead of a table').conflicts('csv'))
    .addOption(new Option('--csv', 'CSV (RFC 4180, formula-safe) instead of a table'))
    .action(async (flags: ActionsFlags, command: Command) => {
      checkWindow(flags);
      const client = ctx.client(command);
      const query = { ...filtersToQuery(flags), ...(flags.sort ? { sort: flags.sort } : {}) };
      const items = client.paginate('/v1/actions', query, { max: flags.all ? undefined : flags.limit, pageSize: flags.pageSize });
      if (flags.json) {
        for await (const item of items) ctx.out(JSON.stringify(item));
        return;
      }
      if (flags.csv) {
        ctx.io.stdout.write(csvHeader(ACTION_COLUMNS));
        for await (const item of items) ctx.io.stdout.write(csvRow(ACTION_COLUMNS, item));
        return;
      }
      // A table needs every row to size its columns: the rows are collected first.
      const rows: unknown[] = [];
      for await (const item of items) rows.push(item);
      if (!rows.length) {
        ctx.err('no actions match');
        return;
      }
      ctx.out(renderTable(ACTION_COLUMNS, rows));
      if (!flags.all && rows.length === flags.limit) ctx.err(`(first ${rows.length}; --limit N or --all for more)`);
    });
}
