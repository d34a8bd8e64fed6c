import { anActionEventInput, httpStatus, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';

/**
 * Issue 19's defect, as it was found: a second audit-projector joins the running group, both store
 * 2,000 events, the second leaves with SIGTERM while events arrive. The first takes its partitions
 * back and stores every event once, and is ready. (The mechanism is pinned down against the broker
 * in libs/kafka/src/consumer-host.membership.int-spec.ts.)
 */
describe('projector rejoin after a member leaves', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-api', 'audit-projector'] });
  let tenant: TestTenant;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant();
  });

  afterAll(() => system.stop());

  async function post(n: number): Promise<void> {
    for (let i = 0; i < n; i += 100) {
      const events = Array.from({ length: 100 }, (_, j) => anActionEventInput({ sessionId: `s-${(i + j) % 50}` }));
      const answer = await system.postEvents(tenant.apiKeys.ingest, { events });
      expect(answer.status).toBe(202);
    }
  }

  const stored = async () => Number((await system.db.query(`SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1 AND type = 'action.attempted'`, [tenant.tenantId])).rows[0].n);

  it('should store every event once when the second projector leaves with SIGTERM', async () => {
    const second = await system.startInstance('audit-projector');
    await post(2_000);
    await waitFor(async () => (await stored()) === 2_000, { timeoutMs: 60_000, what: '2000 events stored by two projectors' });
    const during = post(2_000);
    await new Promise((r) => setTimeout(r, 300));
    second.kill('SIGTERM');
    expect(await second.waitExit(30_000)).toEqual({ code: 0, signal: null });
    await during;
    await waitFor(async () => (await stored()) >= 4_000, { timeoutMs: 60_000, what: '4000 events stored by the first projector' }).catch((err: Error) => {
      throw new Error(`${err.message}\n--- first projector ---\n${system.service('audit-projector').logs().slice(-8_000)}\n--- second ---\n${second.logs().slice(-4_000)}`);
    });
    expect(await stored()).toBe(4_000);
    expect(await httpStatus(`${system.url('audit-projector')}/health/ready`)).toBe(200);
  }, 240_000);
});
