import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

function run(bin: string, cwd: string) {
  return spawnSync(process.execPath, [bin, '--help'], { cwd, encoding: 'utf8' });
}

/** The bin as npm links it: in a checkout (workspace package) and installed from the package. */
describe('bin/agent-ledger.js', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'cli-bin-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  function placeBin(packageDir: string): string {
    const bin = path.join(packageDir, 'bin', 'agent-ledger.js');
    mkdirSync(path.dirname(bin), { recursive: true });
    copyFileSync(path.join(__dirname, 'agent-ledger.js'), bin);
    return bin;
  }

  it('should ask for npm run build and exit 7 when the checkout has no dist', () => {
    const bin = placeBin(path.join(root, 'apps', 'cli'));
    mkdirSync(path.join(root, 'apps', 'cli', 'src'));
    writeFileSync(path.join(root, 'apps', 'cli', 'src', 'main.ts'), '');
    const r = run(bin, root);
    expect(r.status).toBe(7);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`agent-ledger: the CLI is not built (dist/apps/cli/src/main.js is missing): run "npm run build" in ${root}\n`);
  });

  it('should run the bundle next to it when installed from the package', () => {
    const packageDir = path.join(root, 'node_modules', '@agent-ledger', 'cli');
    const bin = placeBin(packageDir);
    mkdirSync(path.join(packageDir, 'dist'));
    writeFileSync(path.join(packageDir, 'dist', 'cli.js'), 'exports.run = async (argv) => { console.log("bundle", argv.join(" ")); return 3; };');
    const r = run(bin, root);
    expect(r.stdout).toBe('bundle --help\n');
    expect(r.status).toBe(3);
  });

  it('should say to reinstall and exit 7 when the package lost its bundle', () => {
    const bin = placeBin(path.join(root, 'node_modules', '@agent-ledger', 'cli'));
    const r = run(bin, root);
    expect(r.status).toBe(7);
    expect(r.stderr).toBe('agent-ledger: the CLI is not built (node_modules/@agent-ledger/cli/dist/cli.js is missing): reinstall the package\n');
  });
});
