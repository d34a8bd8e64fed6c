/** How `npm run schemas` runs: `write` regenerates schemas/; `check` only reports files that differ. */
export type GenerateSchemasMode = 'write' | 'check';

/**
 * `--check` asks for a check; so does a CI environment (`CI` set, as CI services do), where a build
 * must fail on schemas that were not regenerated and committed instead of quietly rewriting them
 * (as jest refuses to write snapshots under `--ci`). `--write` forces writing.
 */
export function generateSchemasMode(args: readonly string[], env: NodeJS.ProcessEnv = process.env): GenerateSchemasMode {
  if (args.includes('--write')) return 'write';
  if (args.includes('--check')) return 'check';
  const ci = env.CI?.trim().toLowerCase();
  return ci && ci !== 'false' && ci !== '0' ? 'check' : 'write';
}
