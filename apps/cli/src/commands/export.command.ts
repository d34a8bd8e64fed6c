import { Option, type Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { UsageError } from '../errors/cli.error';
import { addFilterOptions, checkWindow } from '../options/filter-options';
import { EXPORT_FORMATS, filtersToQuery, type ExportFormat, type FilterFlags } from '../options/option-parsers';
import { downloadTo, formatFromPath } from '../output/download';
import { formatBytes, formatCount } from '../output/format';

interface ExportFlags extends FilterFlags {
  format?: ExportFormat;
  out: string;
  quiet?: boolean;
}

export function registerExportCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('export')
    .description('stream an export (CSV, JSON or JSON lines) of the filtered record to a file, with a progress line on a terminal')
    .addOption(new Option('--format <format>', 'csv | json | jsonl (default: from the --out extension)').choices(EXPORT_FORMATS))
    .requiredOption('--out <file>', 'file to write ("-" for stdout); written whole or not at all')
    .option('--quiet', 'no progress line and no summary')
    .addHelpText('after', '\nExamples:\n  agent-ledger export --format csv --out failed.csv --status failed --from 30d\n  agent-ledger export --out march.jsonl --from 2026-03-01 --to 2026-04-01');
  addFilterOptions(cmd, { actionState: true, context: true, eventFields: true, window: true });
  cmd.action(async (flags: ExportFlags, command: Command) => {
    checkWindow(flags);
    const format = flags.format ?? formatFromPath(flags.out);
    if (!format) throw new UsageError(`--format is needed: ${flags.out === '-' ? 'stdout' : flags.out} has no .csv, .json or .jsonl extension`);
    const client = ctx.client(command);
    const { format: _f, out: _o, quiet: _q, ...filters } = flags;
    const res = await client.open('/v1/export', { format, ...filtersToQuery(filters) }, {}, ctx.io.signal);
    const result = await downloadTo(res, {
      out: flags.out,
      format,
      stdout: ctx.io.stdout,
      stderr: ctx.io.stderr,
      progress: !flags.quiet,
      label: `exporting ${format}`,
      signal: ctx.io.signal,
      transferError: (err) => client.transferError(err),
    });
    if (!flags.quiet) ctx.err(`exported ${formatCount(result.rows)} rows (${formatBytes(result.bytes)}) to ${flags.out === '-' ? 'stdout' : flags.out}`);
  });
}
