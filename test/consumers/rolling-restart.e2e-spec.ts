import { randomUUID } from 'node:crypto';
import { ACTION_EVENTS_TOPIC, actionEventKey, ESCALATIONS_TOPIC, escalationEventKey, type EscalationOpenedEvent } from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { anActionEvent, httpStatus, LedgerSystem, uniqueSuffix, waitFor, type ServiceName, type TestTenant } from '@agent-ledger/testing';
import { AssignerProtocol, type Producer } from 'kafkajs';

const SESSION_TIMEOUT_MS = 6_000;
/** After a SIGKILL the coordinator waits one session timeout, then the group rebalances (a few heartbeats). */
const TAKEOVER_MS = SESSION_TIMEOUT_MS + 10_000;

/**
 * Rolling-restart drill, per consumer service: under load, a second instance joins the groups and
 * leaves with SIGTERM, then a third joins and is killed with SIGKILL. The first instance ends up
 * alone with every partition of every group, and every message published meanwhile is applied
 * (events stored, escalations opened, deliveries planned), none twice.
 */
describe('rolling restart', () => {
  const env = { ESCALATION_WORKER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS), NOTIFIER_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) };
  const system = new LedgerSystem({
    services: ['audit-api', 'audit-projector', 'escalation-worker', 'notifier'],
    env: { 'audit-projector': { AUDIT_PROJECTOR_SESSION_TIMEOUT_MS: String(SESSION_TIMEOUT_MS) }, 'escalation-worker': env, notifier: env },
  });
  const kafka = createKafka({ brokers: system.stack.kafkaBrokers, clientId: `rolling-restart-${system.suffix}` });
  const admin = kafka.admin();
  let producer: Producer;

  beforeAll(async () => {
    await system.start();
    producer = kafka.producer();
    await Promise.all([producer.connect(), admin.connect()]);
  });

  afterAll(async () => {
    await producer?.disconnect();
    await admin.disconnect();
    await system.stop();
  });

  /** Publishes `next()` messages in small batches until stopped; returns how many were acknowledged. */
  function load(topic: string, next: () => { key: string; value: string }) {
    let sent = 0;
    let running = true;
    const loop = (async () => {
      while (running) {
        const messages = Array.from({ length: 5 }, next);
        await producer.send({ topic, acks: -1, messages });
        sent += messages.length;
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    return {
      sent: () => sent,
      stop: async () => {
        running = false;
        await loop;
        return sent;
      },
    };
  }

  /** Whether one member holds every partition of the group's topic. */
  async function soleOwner(groupId: string, topic: string): Promise<boolean> {
    const [group] = (await admin.describeGroups([groupId])).groups;
    if (group.state !== 'Stable' || group.members.length !== 1) return false;
    const assignment = AssignerProtocol.MemberAssignment.decode(group.members[0].memberAssignment)?.assignment ?? {};
    const partitions = (await admin.fetchTopicOffsets(topic)).map((o) => o.partition);
    return partitions.every((p) => assignment[topic]?.includes(p));
  }

  async function drill(name: ServiceName, groups: [string, string][], traffic: ReturnType<typeof load>): Promise<void> {
    try {
      const second = await system.startInstance(name);
      await new Promise((r) => setTimeout(r, 3_000));
      second.kill('SIGTERM');
      expect(await second.waitExit(30_000)).toEqual({ code: 0, signal: null });

      const third = await system.startInstance(name);
      await new Promise((r) => setTimeout(r, 3_000));
      third.kill('SIGKILL');
      await third.waitExit();
      const killedAt = Date.now();
      for (const [groupId, topic] of groups) {
        await waitFor(() => soleOwner(groupId, topic), {
          timeoutMs: Math.max(1_000, TAKEOVER_MS - (Date.now() - killedAt)),
          intervalMs: 250,
          what: `the first ${name} alone with every partition of ${groupId}`,
        });
      }
      await new Promise((r) => setTimeout(r, 2_000));
    } finally {
      await traffic.stop();
    }
    expect(await httpStatus(`${system.url(name)}/health/ready`)).toBe(200);
  }

  it('should leave the first projector with every partition and every event stored once when others join and leave', async () => {
    const tenant = await system.createTenant();
    const traffic = load(ACTION_EVENTS_TOPIC, () => {
      const e = anActionEvent(tenant.tenantId, { type: 'action.attempted' });
      return { key: actionEventKey(e.tenantId, e), value: JSON.stringify(e) };
    });
    await drill('audit-projector', [[system.projectorGroup, ACTION_EVENTS_TOPIC], [`${system.projectorGroup}-escalations`, ESCALATIONS_TOPIC]], traffic);
    // Counted by type: the tenant's own change events (its creation) are stored too.
    const stored = async () => Number((await system.db.query(`SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1 AND type = 'action.attempted'`, [tenant.tenantId])).rows[0].n);
    await waitFor(async () => (await stored()) >= traffic.sent(), { timeoutMs: 60_000, what: `${traffic.sent()} events stored` }).catch(async (err) => {
      const at = [await stored()];
      for (let i = 0; i < 4; i++) {
        await new Promise((r) => setTimeout(r, 10_000));
        at.push(await stored());
      }
      const lag = await admin.fetchOffsets({ groupId: system.projectorGroup, topics: [ACTION_EVENTS_TOPIC] });
      const ends = await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC);
      process.stdout.write(`projection progress every 10 s: ${at} of ${traffic.sent()} committed ${JSON.stringify(lag)} ends ${JSON.stringify(ends)}\n${system.service('audit-projector').logs().slice(-6000)}\n`);
      throw err;
    });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await stored()).toBe(traffic.sent());
  });

  it('should leave the first escalation worker with every partition and one escalation per trigger when others join and leave', async () => {
    const tenant = await system.createTenant();
    const traffic = load(ACTION_EVENTS_TOPIC, () => {
      const e = anActionEvent(tenant.tenantId, { type: 'signal.handoff_requested', sessionId: `s-${randomUUID()}` });
      return { key: actionEventKey(e.tenantId, e), value: JSON.stringify(e) };
    });
    await drill('escalation-worker', [[system.escalationGroup, ACTION_EVENTS_TOPIC], [`${system.escalationGroup}-state`, ESCALATIONS_TOPIC]], traffic);
    const escalations = async () => Number((await system.db.query(`SELECT count(*) AS n FROM escalations WHERE tenant_id = $1`, [tenant.tenantId])).rows[0].n);
    await waitFor(async () => (await escalations()) >= traffic.sent(), { timeoutMs: 60_000, what: `${traffic.sent()} escalations opened` });
    await new Promise((r) => setTimeout(r, 1_000));
    expect(await escalations()).toBe(traffic.sent());
  });

  it('should leave the first notifier with every partition and deliveries planned for every escalation when others join and leave', async () => {
    const tenant: TestTenant = await system.createTenant();
    expect((await system.api('PUT', '/v1/channels', tenant.apiKeys.admin, { email: { recipients: ['ops@example.com'] }, webhooks: [] })).status).toBe(200);
    const traffic = load(ESCALATIONS_TOPIC, () => {
      const e = opened(tenant);
      return { key: escalationEventKey(e.tenantId, e.sessionId), value: JSON.stringify(e) };
    });
    await drill('notifier', [[system.notifierGroup, ESCALATIONS_TOPIC]], traffic);
    const planned = async () => Number((await system.db.query(`SELECT count(DISTINCT escalation_id) AS n FROM deliveries WHERE tenant_id = $1`, [tenant.tenantId])).rows[0].n);
    await waitFor(async () => (await planned()) >= traffic.sent(), { timeoutMs: 60_000, what: `deliveries of ${traffic.sent()} escalations` });
    const dupes = await system.db.query(`SELECT escalation_id FROM deliveries WHERE tenant_id = $1 GROUP BY escalation_id HAVING count(*) > 1`, [tenant.tenantId]);
    expect(dupes.rows).toEqual([]);
  });

  function opened(t: TestTenant): EscalationOpenedEvent {
    return {
      type: 'escalation.opened',
      eventId: randomUUID(),
      escalationId: randomUUID(),
      tenantId: t.tenantId,
      sessionId: `sess-${uniqueSuffix()}`,
      occurredAt: new Date().toISOString(),
      reason: 'action_failed',
      severity: 'error',
      summary: 'refund_order failed for a destructive tool',
      customerMessage: "I've connected you with a human agent.",
      triggeringEventIds: [randomUUID()],
      count: 1,
    };
  }
});
