import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { auditApiDocument } from '../../apps/audit-api/src/openapi';
import { ingestApiDocument } from '../../apps/ingest-api/src/openapi';

/**
 * Writes the OpenAPI 3.1 documents of both HTTP APIs to openapi/*.json (from the controllers, in
 * Nest's preview mode: no infrastructure needed), then the TypeScript types the dashboard and the CLI
 * use, generated from them by openapi-typescript. Run by `npm run build` from dist/.
 */
const ROOT = resolve(__dirname, '..', '..', '..');

/** The file text of a document: what /docs-json serves, formatted, with a final newline. */
export const documentText = (document: unknown): string => `${JSON.stringify(document, null, 2)}\n`;

/** Where each document goes, and the generated types made from it. */
export const OPENAPI_OUTPUTS = [
  { document: 'openapi/ingest-api.json', build: ingestApiDocument, types: [] as string[] },
  { document: 'openapi/audit-api.json', build: auditApiDocument, types: ['libs/contracts/src/api/audit-api.gen.ts'] },
];

/**
 * Puts the file written at `staged` in place of `target` only when its text differs; otherwise
 * `target` keeps its modification time. The generated types are a source the build compiles:
 * rewriting them unchanged would make every build look outdated to `scripts/stack.sh`.
 */
function replaceIfChanged(staged: string, target: string): void {
  if (existsSync(target) && readFileSync(target).equals(readFileSync(staged))) unlinkSync(staged);
  else renameSync(staged, target);
}

async function main(): Promise<void> {
  const bin = join(ROOT, 'node_modules', '.bin', 'openapi-typescript');
  for (const out of OPENAPI_OUTPUTS) {
    const file = join(ROOT, out.document);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.new`, documentText(await out.build()));
    replaceIfChanged(`${file}.new`, file);
    for (const types of out.types) {
      const target = join(ROOT, types);
      execFileSync(bin, [file, '--output', `${target}.new`, '--empty-objects-unknown'], { stdio: ['ignore', 'ignore', 'inherit'] });
      replaceIfChanged(`${target}.new`, target);
    }
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    process.stderr.write(`openapi: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}
