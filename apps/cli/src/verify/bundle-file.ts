import { readFile } from 'node:fs/promises';
import { CliError, ExitCode } from '../errors/cli.error';
import { asProofBundle, type ProofBundle } from './proof-bundles';

/** Reads a bundle file of either format: a missing file is a local-file error, anything else that is not a bundle fails verification. */
export async function readBundle(file: string): Promise<ProofBundle> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code) throw new CliError(ExitCode.LocalFile, `cannot read ${file}: ${(err as Error).message}`);
    throw new CliError(ExitCode.VerificationFailed, `${file} is not JSON`);
  }
  const bundle = asProofBundle(parsed);
  if (!bundle) throw new CliError(ExitCode.VerificationFailed, `${file} is not a proof bundle (format ${String((parsed as { format?: unknown } | null)?.format)})`);
  return bundle;
}
