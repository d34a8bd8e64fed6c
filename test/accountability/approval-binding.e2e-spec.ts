import { randomUUID } from 'node:crypto';
import { argsHash, inputHash, LedgerClient } from '@agent-ledger/sdk';
import { LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { TestHttpReceiver } from '../notifications/receivers';

interface ActionView {
  actionId: string;
  status: string;
  anomaly: boolean;
  anomalies: { code: string; description: string }[];
}
interface EscalationView {
  escalationId: string;
  reason: string;
  actionId: string | null;
  count: number;
}

/**
 * Approval bound to its arguments (docs/accountability.md), on the real stack: the SDK hashes the
 * input shown to the approver and the input that ran, the projector compares them and stores a
 * finding, the escalation worker opens one escalation from it, and the notifier delivers it to a real
 * HTTP receiver on loopback.
 */
describe('approval bound to the arguments', () => {
  const receiver = new TestHttpReceiver();
  const system = new LedgerSystem({
    services: ['audit-api', 'ingest-api', 'audit-projector', 'escalation-worker', 'notifier'],
    env: { 'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32' }, notifier: { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32', NOTIFIER_SESSION_TIMEOUT_MS: '6000' } },
  });
  let tenant: TestTenant;
  let sdk: LedgerClient;

  beforeAll(async () => {
    await receiver.start();
    await system.start();
    tenant = await system.createTenant(`binding-${system.suffix}`);
    const channels = await system.api('PUT', '/v1/channels', tenant.apiKeys.admin, { webhooks: [{ url: receiver.url('/hook') }] });
    expect(channels.status).toBe(200);
    sdk = new LedgerClient({ url: system.url('ingest-api'), apiKey: tenant.apiKeys.ingest, send: 'immediate' });
  });

  afterAll(async () => {
    await sdk?.close();
    await system.stop();
    await receiver.stop();
  });

  const tool = { name: 'refund_order', riskLevel: 'moderate' as const };
  const agent = { id: 'support-bot', name: 'Support bot' };
  const actor = { type: 'agent' as const, id: 'support-bot' };

  /** attempted (approval required) → confirmed with `shown` → executed with `ran`, through the SDK's helpers. */
  async function approvedThenRun(shown: Record<string, unknown>, ran: Record<string, unknown>): Promise<{ actionId: string; sessionId: string }> {
    const sessionId = `s-${randomUUID().slice(0, 8)}`;
    const actionId = await sdk.attempted({ sessionId, agent, actor, tool, input: shown, approval: { required: true } });
    await sdk.confirmed({ sessionId, actionId, tool, input: shown, approval: { required: true, decision: 'approved', approvedBy: 'lead@example.com' } });
    await sdk.executed({ sessionId, actionId, tool, input: ran, output: { ok: true }, durationMs: 12 });
    return { actionId, sessionId };
  }

  const action = async (actionId: string) => (await system.api<ActionView>('GET', `/v1/actions/${actionId}`, tenant.apiKeys.read)).body;
  const projected = (actionId: string, status: string) =>
    waitFor(
      async () => {
        const a = await system.api<ActionView>('GET', `/v1/actions/${actionId}`, tenant.apiKeys.read);
        return a.status === 200 && a.body.status === status ? a.body : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 200, what: `action ${actionId} ${status}` },
    );
  const escalationsOf = async (sessionId: string) => (await system.api<{ items: EscalationView[] }>('GET', `/v1/escalations?sessionId=${sessionId}`, tenant.apiKeys.read)).body.items;

  it('should mark approval_mismatch, open exactly one escalation and deliver one notification when the executed input differs from the approved one', async () => {
    const approved = { orderId: 'A-1001', amount: 25, currency: 'EUR' };
    const ran = { orderId: 'A-1001', amount: 2500, currency: 'EUR' };
    const { actionId, sessionId } = await approvedThenRun(approved, ran);

    await projected(actionId, 'executed');
    const escalation = await waitFor(async () => (await escalationsOf(sessionId))[0], { timeoutMs: 20_000, intervalMs: 200, what: 'the approval_mismatch escalation' });
    const hooks = await waitFor(() => (receiver.at('/hook').filter((c) => c.body.includes(escalation.escalationId)).length ? receiver.at('/hook') : undefined), {
      timeoutMs: 20_000,
      what: 'the notification',
    });
    await new Promise((r) => setTimeout(r, 1_500)); // nothing more arrives

    const a = await action(actionId);
    expect(a.anomalies).toEqual([{ code: 'approval_mismatch', description: `the executed input (inputHash ${inputHash(ran).slice(0, 12)}…) is not the approved one (argsHash ${argsHash(approved).slice(0, 12)}…)` }]);
    expect(await escalationsOf(sessionId)).toEqual([expect.objectContaining({ reason: 'approval_mismatch', actionId, count: 1 })]);
    expect(receiver.at('/hook').filter((c) => c.body.includes(escalation.escalationId))).toHaveLength(1);
    expect(hooks.filter((c) => c.body.includes(sessionId))).toHaveLength(1);
    const listed = await system.api<{ items: ActionView[] }>('GET', `/v1/actions?anomalyCode=approval_mismatch&sessionId=${sessionId}`, tenant.apiKeys.read);
    expect(listed.body.items.map((x) => x.actionId)).toEqual([actionId]);
  });

  it('should mark no anomaly and open no escalation when the executed input only orders its keys differently', async () => {
    const { actionId, sessionId } = await approvedThenRun({ orderId: 'A-2', refund: { amount: 5, currency: 'EUR' } }, { refund: { currency: 'EUR', amount: 5 }, orderId: 'A-2' });

    await projected(actionId, 'executed');
    // A later action of another session whose escalation is seen: the findings of this one were polled before it.
    const marker = await approvedThenRun({ n: 1 }, { n: 2 });
    await waitFor(async () => (await escalationsOf(marker.sessionId)).length === 1, { timeoutMs: 20_000, intervalMs: 200, what: 'the marker escalation' });

    expect(await action(actionId)).toMatchObject({ anomaly: false, anomalies: [] });
    expect(await escalationsOf(sessionId)).toEqual([]);
    const stats = await system.api<{ anomalies: Record<string, number> }>('GET', '/v1/stats', tenant.apiKeys.read);
    expect(stats.body.anomalies).toMatchObject({ approval_mismatch: 2, unapproved_execution: 0 });
  });

  it('should mark executed_after_rejection and escalate it when a rejected action runs', async () => {
    const sessionId = `s-${randomUUID().slice(0, 8)}`;
    const input = { accountId: 'acc-7' };
    const actionId = await sdk.attempted({ sessionId, agent, actor, tool, input, approval: { required: true } });
    await sdk.cancelled({ sessionId, actionId, tool, approval: { required: true, decision: 'rejected', approvedBy: 'lead@example.com' } });
    await sdk.executed({ sessionId, actionId, tool, input });

    await projected(actionId, 'executed');
    const [escalation] = await waitFor(async () => ((await escalationsOf(sessionId)).length ? escalationsOf(sessionId) : undefined), { timeoutMs: 20_000, intervalMs: 200, what: 'the escalation' });

    expect((await action(actionId)).anomalies.map((x) => x.code)).toEqual(['conflicting_outcomes', 'executed_after_rejection']);
    expect(escalation).toMatchObject({ reason: 'executed_after_rejection', actionId });
    const byCode = await system.api<{ items: { event: { actionId?: string } }[] }>('GET', `/v1/events?anomalyCode=executed_after_rejection&sessionId=${sessionId}`, tenant.apiKeys.read);
    expect(byCode.body.items).toHaveLength(3);
    expect((await system.api('GET', '/v1/actions?anomalyCode=rejected_but_ran', tenant.apiKeys.read)).body).toMatchObject({ error: { field: 'anomalyCode' } });
  });
});
