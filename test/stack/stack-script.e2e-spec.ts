import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

const run = promisify(execFile);
const stack = (cmd: string) => run('bash', ['scripts/stack.sh', cmd], { cwd: WORKSPACE_ROOT, timeout: 300_000, env: process.env });

/** scripts/stack.sh is idempotent: a second `up` is a quick no-op, and `down` then `up` works. */
describe('scripts/stack.sh', () => {
  it('should be a quick no-op when run a second time', async () => {
    await stack('up');
    const started = Date.now();
    const { stdout } = await stack('up');
    const seconds = (Date.now() - started) / 1000;
    expect(stdout).toMatch(/kafka\s+already running/);
    expect(stdout).toMatch(/redis\s+already running/);
    expect(stdout).not.toMatch(/^\S+\s+started/m);
    // Nothing changed since the first: the build's own outputs (the generated API types) do not count as changes.
    expect(stdout).toMatch(/build\s+up to date/);
    // Informational: how long the no-op took on this machine.
    process.stdout.write(`second "stack.sh up" took ${seconds.toFixed(1)} s\n`);
  });

  it('should stop only what it started on down, and come back up after', async () => {
    const down = await stack('down');
    if (/kafka\s+left running/.test(down.stdout)) {
      // This checkout did not start the running broker (another checkout's stack serves it):
      // down must leave it alone.
      const status = await stack('status');
      expect(status.stdout).toMatch(/kafka\s+up/);
      return;
    }
    expect(down.stdout).toMatch(/kafka\s+stopped/);
    await expect(stack('status')).rejects.toMatchObject({ code: expect.any(Number) });
    const { stdout } = await stack('up');
    expect(stdout).toMatch(/kafka\s+started/);
    const status = await stack('status');
    expect(status.stdout).toMatch(/kafka\s+up/);
    expect(status.stdout).toMatch(/redis\s+up/);
    expect(status.stdout).toMatch(/postgres\s+up/);
  });
});
