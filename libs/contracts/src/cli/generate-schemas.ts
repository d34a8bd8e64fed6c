/*
 * Writes the published JSON Schemas (schemas/*.json, docs/events.md) from libs/contracts:
 * `npm run schemas` = `node dist/libs/contracts/src/cli/generate-schemas.js [--check | --write] [--dir schemas]`.
 * Run by `npm run build`. In check mode (`--check`, or `CI` set) nothing is written: it exits 1
 * naming each file that differs from the contracts. schemas/released/ is never touched.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSchemasMode } from '../config/generate-schemas.config';
import { publishedSchemas, schemaFileText } from '../published/published-schemas';

/** What differs between `dir` and the contracts: files to write (missing or changed) and stale files to remove. */
export function schemaDrift(dir: string): { changed: string[]; stale: string[] } {
  const expected = new Map(publishedSchemas().map((s) => [s.file, schemaFileText(s)]));
  const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')) : [];
  const changed = [...expected].filter(([file, text]) => !present.includes(file) || readFileSync(path.join(dir, file), 'utf8') !== text).map(([file]) => file);
  const stale = present.filter((f) => !expected.has(f));
  return { changed, stale };
}

function main(args: string[]): number {
  const i = args.indexOf('--dir');
  const dir = path.resolve(i >= 0 && args[i + 1] ? args[i + 1] : 'schemas');
  const { changed, stale } = schemaDrift(dir);
  if (generateSchemasMode(args) === 'check') {
    if (!changed.length && !stale.length) return 0;
    for (const f of changed) process.stderr.write(`schemas: ${path.join(dir, f)} differs from libs/contracts\n`);
    for (const f of stale) process.stderr.write(`schemas: ${path.join(dir, f)} is no longer generated\n`);
    process.stderr.write('schemas: run `npm run schemas -- --write` and commit schemas/\n');
    return 1;
  }
  mkdirSync(dir, { recursive: true });
  const texts = new Map(publishedSchemas().map((s) => [s.file, schemaFileText(s)]));
  for (const f of changed) writeFileSync(path.join(dir, f), texts.get(f)!);
  for (const f of stale) rmSync(path.join(dir, f));
  for (const f of [...changed, ...stale]) process.stderr.write(`schemas: ${changed.includes(f) ? 'wrote' : 'removed'} ${path.join(dir, f)}\n`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
