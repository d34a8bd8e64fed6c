import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI_VERSION } from './http/ledger.client';

// What makes apps/cli publishable as @agent-ledger/cli.
describe('@agent-ledger/cli package', () => {
  const root = join(__dirname, '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

  it('should print the package version when asked for --version', () => {
    expect(CLI_VERSION).toBe(pkg.version);
  });

  it('should ship only the bin, the bundle and the README when packed', () => {
    expect(pkg.private).toBeUndefined();
    expect(pkg.files).toEqual(['bin/agent-ledger.js', 'dist/cli.js', 'README.md']);
    expect(pkg.bin).toEqual({ 'agent-ledger': 'bin/agent-ledger.js' });
    expect(pkg.scripts.prepack).toBe('npm run bundle');
  });

  it('should have no dependencies when everything is bundled', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
  });
});
