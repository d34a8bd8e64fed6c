import path from 'node:path';
import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { UsageError } from '../errors/cli.error';
import { downloadTo } from '../output/download';
import { formatBytes, formatCount } from '../output/format';

interface ExportChainFlags {
  out: string;
  checkpointsOut?: string;
  quiet?: boolean;
}

/** `chain.jsonl` → `chain.checkpoints.jsonl`. */
export function defaultCheckpointsPath(out: string): string {
  const ext = path.extname(out);
  return path.join(path.dirname(out), `${path.basename(out, ext)}.checkpoints${ext || '.jsonl'}`);
}

export function registerExportChainCommand(program: Command, ctx: CommandContext): void {
  program
    .command('export-chain')
    .description("export the tenant's hash chains (stored rows) and signed checkpoints for offline verification")
    .requiredOption('--out <file>', 'JSON lines file for the stored rows')
    .option('--checkpoints-out <file>', 'JSON lines file for the checkpoints (default: <out>.checkpoints.jsonl)')
    .option('--quiet', 'no progress line and no summary')
    .addHelpText(
      'after',
      '\nThe checkpoints are fetched first, then the rows: every checkpoint then covers rows the export holds.\n\nExample:\n  agent-ledger export-chain --out chain.jsonl\n  agent-ledger verify --offline --events chain.jsonl --checkpoints chain.checkpoints.jsonl --public-key "$LEDGER_SIGNING_PUBLIC_KEY"',
    )
    .action(async (flags: ExportChainFlags, command: Command) => {
      const checkpointsOut = flags.checkpointsOut ?? defaultCheckpointsPath(flags.out);
      if (flags.out === '-' || checkpointsOut === '-') throw new UsageError('export-chain writes two files: --out and --checkpoints-out must be file paths');
      if (path.resolve(checkpointsOut) === path.resolve(flags.out)) throw new UsageError('--out and --checkpoints-out must be different files');
      const client = ctx.client(command);
      const common = { format: 'jsonl' as const, stdout: ctx.io.stdout, stderr: ctx.io.stderr, progress: !flags.quiet, signal: ctx.io.signal, transferError: (err: unknown) => client.transferError(err) };
      const checkpoints = await downloadTo(await client.open('/v1/integrity/checkpoints', {}, { accept: 'application/x-ndjson' }, ctx.io.signal), { ...common, out: checkpointsOut, label: 'checkpoints' });
      const rows = await downloadTo(await client.open('/v1/integrity/export', { format: 'jsonl' }, { accept: 'application/x-ndjson' }, ctx.io.signal), { ...common, out: flags.out, label: 'chain rows' });
      if (!flags.quiet) {
        ctx.err(`exported ${formatCount(rows.rows)} rows (${formatBytes(rows.bytes)}) to ${flags.out} and ${formatCount(checkpoints.rows)} checkpoints to ${checkpointsOut}`);
        ctx.err(`verify offline: agent-ledger verify --offline --events ${flags.out} --checkpoints ${checkpointsOut} --public-key <base64 SPKI of the signing key>`);
      }
    });
}
