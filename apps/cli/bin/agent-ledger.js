#!/usr/bin/env node
'use strict';
// `agent-ledger` command: runs the CLI compiled by `npm run build` (dist/apps/cli/src/main.js).
// npm links this file into node_modules/.bin (apps/cli is a workspace package), so `npx agent-ledger`
// works from the repository root after `npm install`.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..', '..');
const entry = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
const NOT_BUILT = 7;

if (!fs.existsSync(entry)) {
  process.stderr.write(`agent-ledger: the CLI is not built (${path.relative(process.cwd(), entry) || entry} is missing): run "npm run build" in ${root}\n`);
  process.exit(NOT_BUILT);
}

require(entry)
  .run(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
