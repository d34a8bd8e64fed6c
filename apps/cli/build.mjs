// Bundle of the published agent-ledger CLI (run by `npm run bundle` and `npm pack` in apps/cli):
// apps/cli/dist/cli.js, one CommonJS file (esbuild, Node 20) with every dependency inside — commander,
// cli-table3, cli-progress, csv-stringify, eventsource-parser, ajv and the workspace libs it uses — so
// the package has no dependencies and needs no file of the repository. bin/agent-ledger.js loads it.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cliRoot = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(cliRoot, '..', '..');
const outfile = path.join(cliRoot, 'dist', 'cli.js');

rmSync(path.join(cliRoot, 'dist'), { recursive: true, force: true });
const result = await build({
  entryPoints: [path.join(cliRoot, 'src', 'main.ts')],
  outfile,
  tsconfig: path.join(repoRoot, 'tsconfig.base.json'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  metafile: true,
  logLevel: 'warning',
});
const external = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external && !i.path.startsWith('node:') && !builtinModules.includes(i.path)).map((i) => i.path));
if (external.length) {
  process.stderr.write(`cli bundle: requires packages outside the bundle: ${[...new Set(external)].join(', ')}\n`);
  process.exit(1);
}
process.stdout.write(`cli bundle: ${path.relative(process.cwd(), outfile) || outfile}\n`);

