#!/usr/bin/env node
'use strict';
// `agent-ledger` command. Installed from the package, it runs the bundle next to it (dist/cli.js,
// made by build.mjs when the package is packed). In the repository (apps/cli is a workspace package,
// so `npx agent-ledger` works from the root after `npm install`), it runs the CLI compiled by
// `npm run build` (dist/apps/cli/src/main.js), so a stale bundle is never used there.
const fs = require('node:fs');
const path = require('node:path');

const packageRoot = path.resolve(__dirname, '..');
const repoRoot = path.resolve(packageRoot, '..', '..');
const inRepository = fs.existsSync(path.join(packageRoot, 'src', 'main.ts'));
const entry = inRepository ? path.join(repoRoot, 'dist', 'apps', 'cli', 'src', 'main.js') : path.join(packageRoot, 'dist', 'cli.js');
const NOT_BUILT = 7;

if (!fs.existsSync(entry)) {
  const remedy = inRepository ? `run "npm run build" in ${repoRoot}` : 'reinstall the package';
  process.stderr.write(`agent-ledger: the CLI is not built (${path.relative(process.cwd(), entry) || entry} is missing): ${remedy}\n`);
  process.exit(NOT_BUILT);
}

require(entry)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
