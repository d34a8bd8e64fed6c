import { ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC, type ActionEventInput } from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { anActionEventInput, httpStatus, LedgerSystem, waitFor, waitWhileGrowing, type ServiceName, type ServiceProcess, type TestTenant } from '@agent-ledger/testing';
import { LoadGenerator, tally, timeline } from '../drills/load-generator';
import { TestHttpReceiver } from '../notifications/receivers';
import { CpuByService, deliveredPerWebhookId, EscalationsTopicReader, groupAssignment, notExactlyOnce, occurrences } from './scale-out-observers';

/**
 * Many instances, one result (issue 19): 3 audit-projectors, 2 escalation workers and 2 notifiers
 * in their groups under a steady load through ingest; mid-load one instance of each is killed with
 * SIGKILL and another started. Afterwards every accepted event is stored once and the chains
 * verify, every escalation trigger opened one escalation (on the topic and in the table: the
 * workers' Redis state held across the rebalances), and every webhook reached the receiver, once
 * per webhook-id (delivery is at least once: a repeat after a SIGKILL must carry the same body).
 * Knobs: SCALE_OUT_SECONDS (load duration, default 120), SCALE_OUT_RATE (events/s, default 2000).
 */
const SECONDS = Number(process.env.SCALE_OUT_SECONDS ?? 120);
const RATE = Number(process.env.SCALE_OUT_RATE ?? 2_000);
/** Events per request, as the benchmark sends them: one full request per tick. */
const BATCH = 100;
const INSTANCES: [ServiceName, number][] = [['audit-projector', 3], ['escalation-worker', 2], ['notifier', 2]];
/** When each service loses an instance and gains another, in seconds of load. */
const REPLACE_AT: [ServiceName, number][] = [['audit-projector', 0.25], ['escalation-worker', 0.45], ['notifier', 0.65]].map(([s, f]) => [s as ServiceName, Math.round(SECONDS * (f as number))]);
const SESSION_TIMEOUT = '6000';
/** Every 200th event asks for a human (a trigger), every 200th another is a failed action (a webhook). */
const EVERY = 200;
/** Triggers come in blocks; in a block each session gets two triggers half a block apart: one escalation, one repeat. */
const BLOCK = 400;
const SAFE_TOOL = { name: 'lookup_order', provider: 'shop', riskLevel: 'safe' as const };

describe('many instances, one result', () => {
  const receiver = new TestHttpReceiver();
  const system = new LedgerSystem({
    services: ['ingest-api', 'audit-api', 'audit-projector', 'escalation-worker', 'notifier'],
    env: {
      'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32' },
      'escalation-worker': { ESCALATION_WORKER_SESSION_TIMEOUT_MS: SESSION_TIMEOUT },
      // A delivery job of a killed notifier is taken over once its lock expires.
      notifier: { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32', NOTIFIER_SESSION_TIMEOUT_MS: SESSION_TIMEOUT, NOTIFIER_EVENT_FILTER_CACHE_MS: '1000', NOTIFIER_WEBHOOK_TIMEOUT_MS: '5000', NOTIFIER_LOCK_DURATION_MS: '10000', NOTIFIER_STALLED_INTERVAL_MS: '5000' },
    },
  });
  const kafka = createKafka({ brokers: system.stack.kafkaBrokers, clientId: `scale-out-${system.suffix}` });
  const admin = kafka.admin();
  const groups: [ServiceName, string, string][] = [
    ['audit-projector', system.projectorGroup, ACTION_EVENTS_TOPIC],
    ['escalation-worker', system.escalationGroup, ACTION_EVENTS_TOPIC],
    ['notifier', system.notifierGroup, ESCALATIONS_TOPIC],
    ['notifier', `${system.notifierGroup}-events`, ACTION_EVENTS_TOPIC],
  ];
  /** The instances running now, per service. */
  const running = new Map<ServiceName, ServiceProcess[]>();
  let tenant: TestTenant;
  let reader: EscalationsTopicReader;

  beforeAll(async () => {
    await receiver.start();
    await system.start();
    await admin.connect();
    tenant = await system.createTenant(`scale-out-${system.suffix}`);
    const channels = await system.api('PUT', '/v1/channels', tenant.apiKeys.admin, {
      webhooks: [{ url: receiver.url('/escalations') }, { url: receiver.url('/failed'), filter: { events: ['action.failed'] } }],
    });
    expect(channels.status).toBe(200);
    reader = await new EscalationsTopicReader(kafka, system, tenant.tenantId).start();
    for (const [name, count] of INSTANCES) {
      running.set(name, [system.service(name)]);
      for (let i = 1; i < count; i++) running.get(name)!.push(await system.startInstance(name));
    }
    await waitForGroups();
  }, 180_000);

  afterAll(async () => {
    await reader?.stop();
    await admin.disconnect();
    await system.stop();
    await receiver.stop();
  });

  it('should store every event once, verify, open every escalation once and deliver every webhook once per webhook-id when instances are killed and added under load', async () => {
    const partitions = (await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)).length;
    // More partitions than projectors, or the third projector would have nothing to do.
    expect(partitions).toBeGreaterThanOrEqual(6);

    const cpu = new CpuByService(() => [system.service('ingest-api'), system.service('audit-api'), ...[...running.values()].flat()].map((p) => ({ name: p.name, pid: p.pid })));
    const load = new LoadGenerator({ url: `${system.url('ingest-api')}/v1/events`, key: tenant.apiKeys.ingest, ratePerSecond: RATE, batchSize: BATCH, tickMs: (1_000 * BATCH) / RATE, makeEvent }).start();
    const replaced: Record<string, number> = {};
    // Each replacement boots and joins its groups while the load goes on (under this load, on two
    // cores, that takes 35-45 s); the load keeps its schedule, and every replacement must be ready
    // and in its groups before anything is counted.
    const joining: Promise<void>[] = [];
    for (const [name, at] of REPLACE_AT) {
      await pauseUntil(() => load.elapsed() >= at * 1_000);
      joining.push((await replace(name)).ready);
      replaced[name] = Math.round(load.elapsed() / 1_000);
    }
    await pauseUntil(() => load.elapsed() >= SECONDS * 1_000);
    const loadSeconds = load.elapsed() / 1_000;
    await load.stop();
    await Promise.all(joining);
    const usage = cpu.stop();

    const outcomes = [...load.outcomes.entries()];
    const accepted = outcomes.filter(([, o]) => o.status === 202).map(([id]) => id);
    const acceptedEvents = accepted.map((id) => sent.get(id)!);
    const triggers = acceptedEvents.filter((e) => e.type === 'signal.handoff_requested');
    const failures = acceptedEvents.filter((e) => e.type === 'action.failed');
    const escalationSessions = new Set(triggers.map((e) => e.sessionId!));

    // Stored once each: rows counted by event id against the accepted ids. The consumers run at a
    // lower CPU priority than ingest (scripts/run-service.sh) and lag behind under this load: the
    // wait lasts while the log grows (a cheap count), then every id is checked once.
    const catchUp = await waitWhileGrowing(storedTotal, accepted.length, { stallMs: 60_000 });
    const storage = notExactlyOnce(accepted, await storedCounts());

    // One escalation per session with triggers, on the topic and in the table; one webhook per opened escalation and per failed action.
    // The workers and notifiers lag as the projectors do: each wait lasts while its count grows.
    await waitWhileGrowing(async () => Math.min((await escalationRows()).size, reader.opened().length), escalationSessions.size, { stallMs: 60_000 });
    const hooks = () => new Set(receiver.at('/failed').map(webhookId)).size + new Set(receiver.at('/escalations').map(webhookId)).size;
    await waitWhileGrowing(async () => hooks(), failures.length + new Set(reader.opened().map((e) => e.eventId)).size, { stallMs: 60_000 });
    // Quiet time: a late duplicate would show now.
    await new Promise((r) => setTimeout(r, 5_000));
    const table = notExactlyOnce(escalationSessions, await escalationRows());
    // One escalation per session on the topic: distinct escalation ids. The same message published
    // again (a worker killed between its publish and its Redis step; its id is deterministic) is
    // counted apart, as consumers keep one per id.
    const openedOnce = [...new Map(reader.opened().map((e) => [e.eventId, e])).values()];
    const topic = { ...notExactlyOnce(escalationSessions, occurrences(openedOnce, (e) => e.sessionId)), republished: reader.opened().length - openedOnce.length };
    const escalationHooks = deliveredPerWebhookId(openedOnce.map((e) => e.eventId), receiver.at('/escalations'));
    const failureHooks = deliveredPerWebhookId(failures.map((e) => e.eventId!), receiver.at('/failed'));

    await system.waitForCheckpointAtHeads(tenant.tenantId).catch(() => undefined);
    const verify = await system.api<{ ok: boolean; eventsChecked: number; failures?: { kind: string }[] }>('GET', '/v1/integrity/verify', tenant.apiKeys.read);
    const verifyFailures = (verify.body.failures ?? []).filter((f) => f.kind !== 'unknown_checkpoint_key');
    const members = await Promise.all(groups.map(async ([, g, t]) => [g, (await groupAssignment(admin, g, t)).partitionsPerMember] as const));
    const notReady = (await Promise.all([...running.values()].flat().map(async (p) => [`${p.name}:${p.port}`, await httpStatus(`${p.url}/health/ready`)] as const))).filter(([, s]) => s !== 200);

    process.stdout.write(`\nscale-out figures:\n${JSON.stringify({
      partitions, rate: Math.round(load.sent / loadSeconds), loadSeconds, replacedAtSecond: replaced, answers: tally(outcomes.map(([, o]) => o)),
      // When the answers other than 202 came (10-s buckets), the requests in flight at most, and whether the sending process itself was starved.
      unanswered: timeline(outcomes.map(([, o]) => o), 10), peakInFlight: load.peakInFlight, clientLoopDelayMs: load.loopDelayMs(), ...usage,
      accepted: accepted.length, catchUpSeconds: Math.round(catchUp.waitedMs / 1_000), storage, escalations: { sessions: escalationSessions.size, triggers: triggers.length, table, topic, webhooks: escalationHooks }, failedActionWebhooks: { expected: failures.length, ...failureHooks },
      verify: { status: verify.status, ok: verify.body.ok, eventsChecked: verify.body.eventsChecked, failures: verifyFailures.slice(0, 5) }, members: Object.fromEntries(members), notReady,
    }, null, 2)}\n`);

    expect(loadSeconds).toBeGreaterThanOrEqual(SECONDS);
    expect(load.sent / loadSeconds).toBeGreaterThanOrEqual(RATE * 0.95);
    expect(accepted.length).toBe(load.sent);
    expect(storage).toEqual({ missing: 0, repeated: 0, unexpected: 0 });
    expect(escalationSessions.size).toBeGreaterThan(0);
    expect(table).toEqual({ missing: 0, repeated: 0, unexpected: 0 });
    // Republished messages (same id) are reported in the figures, not failed on.
    expect({ missing: topic.missing, repeated: topic.repeated, unexpected: topic.unexpected }).toEqual({ missing: 0, repeated: 0, unexpected: 0 });
    // At least once, one per webhook-id: a repeat (a notifier killed mid-job) must carry the same body.
    for (const delivered of [escalationHooks, failureHooks]) {
      expect({ missing: delivered.missing, unexpected: delivered.unexpected, redeliveredWithAnotherBody: delivered.redeliveredWithAnotherBody }).toEqual({ missing: 0, unexpected: 0, redeliveredWithAnotherBody: 0 });
    }
    expect(verify.status).toBe(200);
    expect(verifyFailures).toEqual([]);
    for (const [g, perMember] of members) expect({ g, members: perMember.length }).toEqual({ g, members: INSTANCES.find(([n]) => n === groups.find(([, gg]) => gg === g)![0])![1] });
    expect(notReady).toEqual([]);
  }, 30 * 60_000);

  /** Each accepted event as it was sent, by id. */
  const sent = new Map<string, ActionEventInput>();

  function makeEvent(i: number): ActionEventInput {
    let e: ActionEventInput;
    if (i % EVERY === 7) {
      const trigger = Math.floor(i / EVERY);
      e = anActionEventInput({ type: 'signal.handoff_requested', sessionId: `esc-${Math.floor(trigger / BLOCK)}-${trigger % (BLOCK / 2)}` });
    } else if (i % EVERY === 113) {
      e = anActionEventInput({ type: 'action.failed', sessionId: `fail-${i}`, tool: SAFE_TOOL, error: { message: 'lookup refused', code: 'E_REFUSED' } });
    } else {
      e = anActionEventInput({ sessionId: `s-${i % 500}` });
    }
    sent.set(e.eventId!, e);
    return e;
  }

  /**
   * SIGKILL of one running instance (the oldest), and a new instance started in its place: resolves
   * once the victim is gone, with `ready`: the new instance ready and counted as running.
   */
  async function replace(name: ServiceName): Promise<{ ready: Promise<void> }> {
    const list = running.get(name)!;
    const victim = list.shift()!;
    victim.kill('SIGKILL');
    await victim.waitExit();
    // Under the load, on two cores, a new process boots and joins its groups more slowly than idle.
    const ready = system.startInstance(name, {}, 180_000).then((p) => void list.push(p));
    ready.catch(() => undefined); // awaited after the load; a failure fails the test there
    return { ready };
  }

  /** Every group has one member per instance, each holding partitions, and is stable. */
  async function waitForGroups(): Promise<void> {
    for (const [name, groupId, topic] of groups) {
      const count = INSTANCES.find(([n]) => n === name)![1];
      await waitFor(async () => {
        const g = await groupAssignment(admin, groupId, topic);
        return g.stable && g.partitionsPerMember.length === count && g.partitionsPerMember.every((n) => n > 0);
      }, { timeoutMs: 60_000, intervalMs: 500, what: `${count} members of ${groupId}, each with partitions` });
    }
  }

  /** The load's events in the log so far (the session prefixes of makeEvent; the tenant's change events left out). */
  async function storedTotal(): Promise<number> {
    const { rows } = await system.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND session_id ~ '^(s|esc|fail)-'`, [tenant.tenantId]);
    return rows[0].n;
  }

  async function storedCounts(): Promise<Map<string, number>> {
    const { rows } = await system.db.query<{ id: string; n: number }>(`SELECT event_id::text AS id, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 GROUP BY event_id`, [tenant.tenantId]);
    // The load's events only (the tenant's own change events are stored too).
    return new Map(rows.filter((r) => sent.has(r.id)).map((r) => [r.id, r.n]));
  }

  async function escalationRows(): Promise<Map<string, number>> {
    const { rows } = await system.db.query<{ s: string; n: number }>(`SELECT session_id AS s, count(*)::int AS n FROM escalations WHERE tenant_id = $1 GROUP BY session_id`, [tenant.tenantId]);
    return new Map(rows.map((r) => [r.s, r.n]));
  }
});

const webhookId = (call: { headers: Record<string, unknown> }) => String(call.headers['webhook-id']);

async function pauseUntil(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 200));
}
