import { spawn, type ChildProcess } from 'node:child_process';
import { httpStatus, waitFor, WORKSPACE_ROOT } from '@agent-ledger/testing';

/** `npm start` as the README tells a user to run it (on other ports, so it can run beside anything). */
describe('npm start', () => {
  const ports = { INGEST_API_PORT: 24100, AUDIT_API_PORT: 24200, AUDIT_PROJECTOR_PORT: 24301, ESCALATION_WORKER_PORT: 24302, NOTIFIER_PORT: 24303, CHECKPOINT_WITNESS_PORT: 24304, RETENTION_WORKER_PORT: 24305 };
  let child: ChildProcess | undefined;
  let output = '';

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGINT');
      await new Promise((r) => child!.once('exit', r));
    }
  });

  it('should print "all 7 services ready" with every /health/ready answering 200, and stop on Ctrl-C', async () => {
    child = spawn('npm', ['start'], {
      cwd: WORKSPACE_ROOT,
      env: { ...process.env, ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])), LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (c) => (output += c));
    child.stderr!.on('data', (c) => (output += c));
    await waitFor(() => output.includes('all 7 services ready'), { timeoutMs: 150_000, intervalMs: 500, what: `"all 7 services ready"; output so far:\n${output.slice(-2000)}` });
    for (const port of Object.values(ports)) {
      expect({ port, status: await httpStatus(`http://127.0.0.1:${port}/health/ready`) }).toEqual({ port, status: 200 });
    }
    expect(output).toContain(`http://127.0.0.1:${ports.INGEST_API_PORT}`);

    // Ctrl-C reaches the whole foreground process group.
    process.kill(-child.pid!, 'SIGINT');
    await new Promise((r) => child!.once('exit', r));
    expect(output).toContain('services stopped');
    for (const port of Object.values(ports)) {
      expect({ port, status: await httpStatus(`http://127.0.0.1:${port}/health/live`) }).toEqual({ port, status: 0 });
    }
  });
});
