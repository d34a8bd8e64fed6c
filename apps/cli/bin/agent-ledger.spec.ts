import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The bin as npm links it, in a checkout where `npm run build` has not run yet. */
describe('bin/agent-ledger.js', () => {
  it('should ask for npm run build and exit 7 when dist is missing', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'unbuilt-'));
    try {
      const bin = path.join(root, 'apps', 'cli', 'bin', 'agent-ledger.js');
      mkdirSync(path.dirname(bin), { recursive: true });
      copyFileSync(path.join(__dirname, 'agent-ledger.js'), bin);
      const r = spawnSync(process.execPath, [bin, '--help'], { cwd: root, encoding: 'utf8' });
      expect(r.status).toBe(7);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`agent-ledger: the CLI is not built (dist/apps/cli/src/main.js is missing): run "npm run build" in ${root}\n`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
