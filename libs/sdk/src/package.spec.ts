import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SDK_VERSION } from './version';

// What makes libs/sdk publishable on its own as @agent-ledger/sdk.
describe('@agent-ledger/sdk package', () => {
  const root = join(__dirname, '..');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const buildConfig = JSON.parse(readFileSync(join(root, 'tsconfig.lib.json'), 'utf8'));

  it('should send the package version in the User-Agent when the versions are compared', () => {
    expect(SDK_VERSION).toBe(pkg.version);
  });

  it('should depend on no private package when its dependencies are listed', () => {
    const all = { ...pkg.dependencies, ...pkg.peerDependencies, ...pkg.optionalDependencies };
    expect(Object.keys(all).filter((name) => name.startsWith('@agent-ledger/'))).toEqual([]);
    expect(pkg.private).toBeUndefined();
  });

  it('should declare kafkajs as an optional peer dependency when the direct mode is not used', () => {
    expect(pkg.peerDependencies).toHaveProperty('kafkajs');
    expect(pkg.peerDependenciesMeta.kafkajs.optional).toBe(true);
    expect(pkg.dependencies ?? {}).not.toHaveProperty('kafkajs');
  });

  it('should point main and types at the bundle and its declarations when built with build.mjs', () => {
    // build.mjs writes the esbuild bundle to dist/index.js and the reachable declarations under dist/.
    expect(readFileSync(join(root, 'build.mjs'), 'utf8')).toContain("outfile: path.join(dist, 'index.js')");
    expect(buildConfig.compilerOptions).toMatchObject({ rootDir: '..', declaration: true });
    expect(pkg.main).toBe('./dist/index.js');
    expect(pkg.types).toBe('./dist/index.d.ts');
    expect(pkg.exports['.']).toEqual({ types: pkg.types, default: pkg.main });
    expect(pkg.files).toEqual(['dist/index.js', 'dist/**/*.d.ts', 'README.md']);
    expect(pkg.scripts.prepack).toBe('npm run build');
  });

  it('should keep ajv and ajv-formats as the only runtime dependencies when bundled', () => {
    expect(Object.keys(pkg.dependencies).sort()).toEqual(['ajv', 'ajv-formats']);
  });
});
