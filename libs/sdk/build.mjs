// Build of the published @agent-ledger/sdk (run by `npm run build` and `npm pack` in libs/sdk).
//
// dist/index.js    one CommonJS bundle (esbuild) of the SDK and the contracts code it uses; only ajv
//                  and ajv-formats stay external (package dependencies), kafkajs is an optional peer.
// dist/index.d.ts  the declarations: the SDK's own, plus the contracts files its public types reach,
//                  re-exported through one barrel (dist/types/sdk/src/public-contracts.d.ts). Files the
//                  public types do not reach (codecs with Buffer, checkpoints, redaction settings) are
//                  left out, so a consumer compiles without @types/node. The build proves it: it
//                  type-checks a consumer with `types: []` and no skipLibCheck against the result.
import { build } from 'esbuild';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const sdkRoot = path.dirname(fileURLToPath(import.meta.url));
const libsRoot = path.dirname(sdkRoot);
const dist = path.join(sdkRoot, 'dist');
const CONTRACTS = '@agent-ledger/contracts';
const BARREL = 'public-contracts';
const RUNTIME_EXTERNALS = ['ajv', 'ajv-formats', 'kafkajs'];

class BuildError extends Error {}

function fail(message) {
  throw new BuildError(message);
}

function report(diagnostics) {
  if (!diagnostics.length) return;
  const host = { getCanonicalFileName: (f) => f, getCurrentDirectory: () => sdkRoot, getNewLine: () => '\n' };
  fail(`\n${ts.formatDiagnostics(diagnostics, host)}`);
}

async function bundle() {
  const result = await build({
    entryPoints: [path.join(sdkRoot, 'src', 'index.ts')],
    outfile: path.join(dist, 'index.js'),
    tsconfig: path.join(sdkRoot, 'tsconfig.lib.json'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: RUNTIME_EXTERNALS,
    legalComments: 'inline',
    metafile: true,
    logLevel: 'warning',
  });
  const pkg = JSON.parse(readFileSync(path.join(sdkRoot, 'package.json'), 'utf8'));
  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  const imported = Object.values(result.metafile.outputs).flatMap((o) => o.imports.filter((i) => i.external).map((i) => i.path));
  const undeclared = [...new Set(imported)].filter((name) => !name.startsWith('node:') && !declared.has(name));
  if (undeclared.length) fail(`the bundle requires packages package.json does not declare: ${undeclared.join(', ')}`);
}

/** Emits every declaration of the SDK's program into a staging directory. */
function emitDeclarations(staging) {
  const configPath = path.join(sdkRoot, 'tsconfig.lib.json');
  const config = ts.getParsedCommandLineOfConfigFile(configPath, { emitDeclarationOnly: true, outDir: staging }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => report([d]) });
  report(config.errors);
  const program = ts.createProgram({ rootNames: config.fileNames, options: config.options });
  const emitted = program.emit();
  report([...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics]);
  return program;
}

/** Names the SDK's declarations import or re-export from the contracts package. */
function contractsNamesUsed(sdkDeclarations) {
  const names = new Set();
  const statement = /(?:import|export)\s+(?:type\s+)?\{([^}]*)\}\s+from\s+'@agent-ledger\/contracts'/g;
  for (const file of sdkDeclarations) {
    for (const m of readFileSync(file, 'utf8').matchAll(statement)) {
      for (const part of m[1].split(',')) {
        const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+/)[0];
        if (name) names.add(name);
      }
    }
  }
  return names;
}

/** The barrel `public-contracts.d.ts`: each used name re-exported from the contracts file declaring it. */
function writeBarrel(program, names, sdkOut) {
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(libsRoot, 'contracts', 'src', 'index.ts'));
  const exports = new Map(checker.getExportsOfModule(checker.getSymbolAtLocation(index)).map((s) => [s.getName(), s]));
  const byFile = new Map();
  for (const name of [...names].sort()) {
    const symbol = exports.get(name);
    if (!symbol) fail(`${CONTRACTS} does not export ${name}`);
    const original = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
    const source = original.declarations[0].getSourceFile().fileName;
    const relative = path.relative(path.join(sdkRoot, 'src'), source).replace(/\\/g, '/').replace(/\.ts$/, '');
    const specifier = relative.startsWith('.') ? relative : `./${relative}`;
    byFile.set(specifier, [...(byFile.get(specifier) ?? []), name]);
  }
  const lines = [...byFile].map(([specifier, list]) => `export { ${list.join(', ')} } from '${specifier}';`);
  writeFileSync(path.join(sdkOut, `${BARREL}.d.ts`), `// The part of ${CONTRACTS} the SDK's public types use.\n${lines.join('\n')}\n`);
}

/**
 * Declarations that name Node's `Buffer` (the topic codecs' consumed messages, checkpoint payloads)
 * get it from `node-buffer.d.ts` instead of the global of @types/node: the part of Buffer they use,
 * stated structurally. A real Buffer fits it; a plain Uint8Array does not (it lacks `equals` and
 * `readUInt8`), as the code behind those types calls Buffer's `toString(encoding)`.
 */
function shimBuffer(staging) {
  const shim = path.join(staging, 'node-buffer.d.ts');
  writeFileSync(
    shim,
    `/** Node.js' Buffer as these declarations use it, without @types/node: a Buffer is one. */\n` +
      `export interface NodeBuffer extends Uint8Array {\n  equals(otherBuffer: Uint8Array): boolean;\n  readUInt8(offset?: number): number;\n  toString(encoding?: string, start?: number, end?: number): string;\n}\n`,
  );
  const files = readdirSync(staging, { recursive: true }).map((f) => path.join(staging, String(f))).filter((f) => f.endsWith('.d.ts') && f !== shim);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
    let named = false;
    const visit = (node) => {
      if (ts.isTypeReferenceNode(node) && ts.isIdentifier(node.typeName) && node.typeName.text === 'Buffer') named = true;
      else node.forEachChild(visit);
    };
    source.forEachChild(visit);
    if (!named) continue;
    const relative = path.relative(path.dirname(file), shim).replace(/\\/g, '/').replace(/\.d\.ts$/, '');
    writeFileSync(file, `import type { NodeBuffer as Buffer } from '${relative.startsWith('.') ? relative : `./${relative}`}';\n${text}`);
  }
}

/** Relative module specifiers of a declaration file; any other import is refused. */
function dependenciesOf(file) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const specifiers = [];
  source.forEachChild((node) => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) specifiers.push(node.moduleSpecifier.text);
  });
  for (const ref of [...source.typeReferenceDirectives, ...source.referencedFiles]) specifiers.push(`reference:${ref.fileName}`);
  const foreign = specifiers.filter((s) => !s.startsWith('.'));
  if (foreign.length) fail(`${file} reaches outside the package: ${foreign.join(', ')}`);
  return specifiers.map((s) => {
    const base = path.resolve(path.dirname(file), s);
    return existsSync(`${base}.d.ts`) ? `${base}.d.ts` : path.join(base, 'index.d.ts');
  });
}

/** Copies the declarations reachable from the SDK's index into dist/types. */
function copyReachable(staging) {
  const seen = new Set();
  const pending = [path.join(staging, 'sdk', 'src', 'index.d.ts')];
  while (pending.length) {
    const file = pending.pop();
    if (seen.has(file)) continue;
    seen.add(file);
    pending.push(...dependenciesOf(file));
  }
  for (const file of seen) {
    const target = path.join(dist, 'types', path.relative(staging, file));
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(file, target);
  }
  writeFileSync(path.join(dist, 'index.d.ts'), "export * from './types/sdk/src/index';\n");
  return seen.size;
}

/** Type-checks a consumer of dist/index.d.ts with no ambient types and full library checks. */
function checkConsumer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'sdk-consumer-'));
  try {
    const entry = path.join(dir, 'consumer.ts');
    const sdk = path.join(dist, 'index').replace(/\\/g, '/');
    writeFileSync(entry, `import { LedgerClient, LedgerError, type ActionEventInput } from '${sdk}';\nconst c: LedgerClient | undefined = undefined;\nconst e: ActionEventInput | undefined = undefined;\nexport { c, e, LedgerError };\n`);
    const options = { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['lib.es2022.d.ts'], module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 };
    report(ts.getPreEmitDiagnostics(ts.createProgram([entry], options)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

rmSync(dist, { recursive: true, force: true });
const staging = mkdtempSync(path.join(tmpdir(), 'sdk-declarations-'));
try {
  await bundle();
  const program = emitDeclarations(staging);
  const sdkOut = path.join(staging, 'sdk', 'src');
  const sdkDeclarations = program.getRootFileNames().filter((f) => f.startsWith(path.join(sdkRoot, 'src'))).map((f) => path.join(sdkOut, path.relative(path.join(sdkRoot, 'src'), f).replace(/\.ts$/, '.d.ts')));
  writeBarrel(program, contractsNamesUsed(sdkDeclarations), sdkOut);
  for (const file of sdkDeclarations) {
    const rel = path.relative(path.dirname(file), path.join(sdkOut, BARREL)).replace(/\\/g, '/');
    const text = readFileSync(file, 'utf8').replaceAll(`'${CONTRACTS}'`, `'${rel.startsWith('.') ? rel : `./${rel}`}'`);
    writeFileSync(file, text);
  }
  shimBuffer(staging);
  const count = copyReachable(staging);
  checkConsumer();
  process.stdout.write(`sdk build: dist/index.js and ${count} declaration files\n`);
} catch (err) {
  if (!(err instanceof BuildError)) throw err;
  process.stderr.write(`sdk build: ${err.message}\n`);
  process.exitCode = 1;
} finally {
  rmSync(staging, { recursive: true, force: true });
}
