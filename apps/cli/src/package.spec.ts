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

  it('should share one version with the SDK and the Python client when released together', () => {
    const repo = join(root, '..', '..');
    const sdk = JSON.parse(readFileSync(join(repo, 'libs', 'sdk', 'package.json'), 'utf8'));
    const pyproject = readFileSync(join(repo, 'clients', 'python', 'pyproject.toml'), 'utf8');
    const python = readFileSync(join(repo, 'clients', 'python', 'agent_ledger', '_version.py'), 'utf8');
    expect(sdk.version).toBe(pkg.version);
    expect(pyproject).toMatch(new RegExp(`^version = "${pkg.version.replace(/\./g, '\\.')}"$`, 'm'));
    expect(python).toContain(`__version__ = "${pkg.version}"`);
    expect(readFileSync(join(repo, 'CHANGELOG.md'), 'utf8')).toContain(`## ${pkg.version}`);
  });

  it('should have no dependencies when everything is bundled', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
  });
});
