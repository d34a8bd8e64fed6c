import { execFileSync, spawnSync } from 'node:child_process';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

/** What must never be committed: jars, dependencies, build output, local state and secrets. */
describe('the repository', () => {
  const files = execFileSync('git', ['ls-files'], { cwd: WORKSPACE_ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);

  it('should track source files when listed', () => {
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'scripts/stack.sh', 'infra/kafka/pom.xml']));
  });

  it.each([
    ['jars', /\.jar$/],
    ['node_modules', /(^|\/)node_modules\//],
    ['build output', /^(dist|out-tsc|coverage)\//],
    ['local stack state', /^\.stack\//],
    ['env files with secrets', /(^|\/)\.env(\.(?!example$)[^/]+)?$/],
    ['private keys', /\.(pem|key|p12|pfx)$/],
  ])('should not contain %s when listed', (_what, pattern) => {
    expect(files.filter((f) => pattern.test(f))).toEqual([]);
  });

  it('should not contain a generated local secret when scanned', () => {
    // git grep exits 1 when nothing matches; the compose file's development defaults are documented as such.
    const r = spawnSync('git', ['grep', '-l', '-E', 'LEDGER_(ROOT|MASTER|SIGNING)_KEY=[A-Za-z0-9+/_-]{40,}', '--', '.', ':!docker-compose.yml'], {
      cwd: WORKSPACE_ROOT,
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
  });
});
