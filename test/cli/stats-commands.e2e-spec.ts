import { LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { expectedStats, rounded, seedActions, seedEvents, sortedRows, type SeedAction } from '../reports/stats-seed';
import { cleanEnv, runCli } from './cli-runner';

/** `agent-ledger stats`, `performance` and `errors` against the real audit API, over a seed with known answers. */
describe('CLI statistics commands', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  let tenant: TestTenant;
  let env: NodeJS.ProcessEnv;
  let actions: SeedAction[];
  let expected: ReturnType<typeof expectedStats>;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`cli-stats-${system.suffix}`);
    env = cleanEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: tenant.apiKeys.read });
    actions = seedActions('cs', 45, Date.now() - 60_000, 30 * 60_000);
    const events = seedEvents(actions, `cs-${system.suffix}`);
    expected = expectedStats(actions, events);
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, events.length);
    await waitFor(async () => (await system.db.query(`SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1`, [tenant.tenantId])).rows[0].n === actions.length, {
      timeoutMs: 20_000,
      what: 'every action projected',
    });
  });

  afterAll(() => system.stop());

  const json = async (args: string[]) => {
    const r = await runCli(args, env);
    expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
    return JSON.parse(r.stdout);
  };

  it('should print durations per tool and the slowest operations, slowest first, when running performance', async () => {
    const out = await json(['performance', '--window', '1h', '--limit', '5', '--json']);
    expect(Date.parse(out.window.to) - Date.parse(out.window.from)).toBe(3_600_000);
    expect(rounded(out.duration)).toEqual(rounded(expected.duration));
    expect(rounded(sortedRows(out.durations))).toEqual(rounded(sortedRows(expected.durations)));
    const slowestSeeded = actions
      .flatMap((a) => (a.durationMs === null ? [] : [a.durationMs]))
      .sort((a, b) => b - a)
      .slice(0, 5);
    expect(out.slowest.map((a: { durationMs: number }) => a.durationMs)).toEqual(slowestSeeded);
    for (const a of out.slowest) expect(actions.find((s) => s.actionId === a.actionId)?.durationMs).toBe(a.durationMs);

    const table = await runCli(['performance', '--limit', '3'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/durations per tool\n\s*TOOL\s+N\s+AVG\s+MIN\s+MAX\s+P95/);
    for (const d of expected.durations) expect(table.stdout).toMatch(new RegExp(`\\n\\s*${d.tool}\\s+${d.n}\\s`));
    expect(table.stdout).toMatch(/slowest operations\n\s*DURATION\s+TOOL\s+STATUS\s+ACTION/);
  });

  it('should count failures by tool and error code and list the failed actions when running errors', async () => {
    const out = await json(['errors', '--limit', '100', '--json']);
    expect(out.failed).toBe(expected.totals.byStatus.failed);
    expect(sortedRows(out.failures)).toEqual(sortedRows(expected.failures));
    const failed = actions.filter((a) => a.status === 'failed');
    expect(out.recent.map((a: { actionId: string }) => a.actionId).sort()).toEqual(failed.map((a) => a.actionId).sort());
    for (const a of out.recent) expect(a.error.code).toBe(failed.find((f) => f.actionId === a.actionId)!.errorCode);

    const table = await runCli(['errors', '--window', '24h'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`failed   ${expected.totals.byStatus.failed}`);
    for (const f of expected.failures) expect(table.stdout).toMatch(new RegExp(`\\n\\s*${f.tool}\\s+${f.errorCode}\\s+${f.n}\\n`));
  });

  it('should take a named window in stats and refuse one it does not know', async () => {
    const out = await json(['stats', '--window', '7d', '--json']);
    expect(out.totals.actions).toBe(actions.length);
    expect(rounded([out.successRate, out.successRateOfFinished])).toEqual(rounded([expected.successRate, expected.successRateOfFinished]));
    const bad = await runCli(['errors', '--window', '2h'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('2h');
    const tooLong = await runCli(['performance', '--from', '2025-01-01', '--to', '2025-06-01'], env);
    expect(tooLong.code).toBe(3);
    expect(tooLong.stderr).toContain('90 days');
  });
});
