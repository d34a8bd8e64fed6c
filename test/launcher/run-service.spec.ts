import { execSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

const LAUNCHER = path.join(WORKSPACE_ROOT, 'scripts', 'run-service.sh');

/**
 * scripts/run-service.sh starts every service (npm start, the tests, the benchmark, the image). The
 * services that answer requests keep the normal CPU priority; consumers and workers run lower, so
 * that on a shared machine under more load than it holds they lag instead of starving ingest.
 * `NODE` is replaced by a script that reports the niceness and PID it runs with.
 */
describe('scripts/run-service.sh', () => {
  let dir: string;
  let fakeNode: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'run-service-'));
    fakeNode = path.join(dir, 'node');
    writeFileSync(fakeNode, '#!/bin/sh\necho "nice=$(nice) pid=$$ main=$(for a in "$@"; do :; done; echo "$a")"\n');
    chmodSync(fakeNode, 0o755);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function launch(app: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string; pid?: number }> {
    return new Promise((resolve) => {
      const child = spawn('sh', [LAUNCHER, app], { env: { ...process.env, LEDGER_CONSUMER_NICE: '', ...env, NODE: fakeNode } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr, pid: child.pid }));
    });
  }

  const niceOf = (stdout: string) => Number(/nice=(\d+)/.exec(stdout)?.[1]);
  const base = Number(execSync('nice').toString());

  it.each(['ingest-api', 'audit-api'])('should run %s at the priority it was started with', async (app) => {
    const r = await launch(app);
    expect(r.code).toBe(0);
    expect(niceOf(r.stdout)).toBe(base);
    expect(r.stdout).toContain(`main=${WORKSPACE_ROOT}/dist/apps/${app}/src/main.js`);
  });

  it.each(['audit-projector', 'escalation-worker', 'notifier', 'checkpoint-witness', 'retention-worker'])('should run %s 10 steps lower, keeping its PID', async (app) => {
    const r = await launch(app);
    expect(r.code).toBe(0);
    expect(niceOf(r.stdout)).toBe(Math.min(19, base + 10));
    // exec all the way: the PID the caller signals is the service's.
    expect(r.stdout).toContain(`pid=${r.pid} `);
  });

  it('should take LEDGER_CONSUMER_NICE for the consumers, 0 keeping the normal priority', async () => {
    expect(niceOf((await launch('notifier', { LEDGER_CONSUMER_NICE: '0' })).stdout)).toBe(base);
    expect(niceOf((await launch('notifier', { LEDGER_CONSUMER_NICE: '3' })).stdout)).toBe(Math.min(19, base + 3));
    expect(niceOf((await launch('ingest-api', { LEDGER_CONSUMER_NICE: '3' })).stdout)).toBe(base);
  });

  it.each(['-1', '20', 'low', '1.5'])('should refuse LEDGER_CONSUMER_NICE=%s with a clear message and start nothing', async (value) => {
    const r = await launch('notifier', { LEDGER_CONSUMER_NICE: value });
    expect(r.code).toBe(64);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`LEDGER_CONSUMER_NICE must be a whole number from 0 to 19, not '${value}'`);
  });
});
