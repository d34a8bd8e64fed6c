import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ACTION_EVENTS_TOPIC, type ActionEventInput, CHECKPOINTS_TOPIC, ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { GENESIS_HASH } from '@agent-ledger/integrity';
import { createKafka, ensureTopics, ledgerTopics } from '@agent-ledger/kafka';
import { anActionEventInput, LedgerSystem, waitFor, WORKSPACE_ROOT, type TestTenant } from '@agent-ledger/testing';
import { ScratchKafka } from './scratch-kafka';

const run = promisify(execFile);
const BEFORE = 6;
const AFTER = 12;

/**
 * The procedure of docs/scaling.md, "Adding partitions", on a running system: events before the
 * action events topic goes from 6 to 12 partitions (raised with scripts/kafka-partitions.sh), the
 * consumers restarted, then the producers, events after. An action's later events may then land on
 * another partition than its first ones (the key's partition is murmur2 mod the count), in either
 * order; the new partitions start new chains at the genesis hash. Afterwards every event is stored
 * once, every chain verifies, the last checkpoint covers the new chains, and every action is whole.
 *
 * It runs against its own broker (ScratchKafka): raising the shared stack's topics would change
 * them for every later test.
 */
describe('adding partitions to the action events topic', () => {
  const kafka = new ScratchKafka();
  let system: LedgerSystem;
  let tenant: TestTenant;
  const savedBrokers = process.env.KAFKA_BROKERS;

  beforeAll(async () => {
    await kafka.start();
    const client = createKafka({ brokers: [kafka.brokers], clientId: 'add-partitions' });
    await ensureTopics(client, ledgerTopics({ actionEventPartitions: BEFORE, escalationPartitions: BEFORE, replicationFactor: 1 }));
    const admin = client.admin();
    await admin.connect();
    // Leaders are elected, and every partition answers offsets, before the services start.
    await waitFor(async () => (await Promise.all([ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC, CHECKPOINTS_TOPIC].map((t) => admin.fetchTopicOffsets(t)))).every((o) => o.length > 0), {
      timeoutMs: 30_000,
      what: 'the scratch topics led',
    });
    await admin.disconnect();
    process.env.KAFKA_BROKERS = kafka.brokers; // the system reads its brokers from the environment
    system = new LedgerSystem({ services: ['ingest-api', 'audit-projector', 'audit-api'] });
    await system.start();
    tenant = await system.createTenant();
  }, 180_000);

  afterAll(async () => {
    await system?.stop();
    process.env.KAFKA_BROKERS = savedBrokers;
    await kafka.stop();
  });

  const base = Date.now() - 60_000;
  const at = (ms: number) => new Date(base + ms).toISOString();
  const attempted = (i: number) => anActionEventInput({ type: 'action.attempted', actionId: `act-${i}`, sessionId: `s-${i % 7}`, occurredAt: at(i) });
  const executed = (i: number) => anActionEventInput({ type: 'action.executed', actionId: `act-${i}`, sessionId: `s-${i % 7}`, occurredAt: at(10_000 + i) });
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);

  async function post(events: ActionEventInput[]): Promise<void> {
    const answer = await system.postEvents(tenant.apiKeys.ingest, { events });
    expect(answer.status).toBe(202);
  }
  const storedOf = async (ids: string[]) =>
    (await system.db.query(`SELECT event_id::text AS id, kafka_partition AS p FROM audit_events WHERE tenant_id = $1 AND event_id = ANY($2::uuid[])`, [tenant.tenantId, ids])).rows as { id: string; p: number }[];

  it('should store every event once, verify every chain and keep every action whole when the partitions go from 6 to 12', async () => {
    // Before: actions 0-39 start; actions 40-59 send their LATER event first.
    const before = [...range(0, 40).map(attempted), ...range(40, 60).map(executed)];
    await post(before);
    await waitFor(async () => (await storedOf(before.map((e) => e.eventId!))).length === before.length, { timeoutMs: 60_000, what: 'the events posted before the raise stored' });
    expect(Math.max(...(await storedOf(before.map((e) => e.eventId!))).map((r) => r.p))).toBeLessThan(BEFORE);

    // The procedure: raise the topic, restart the consumers (they are assigned the new partitions), then the producers.
    const raised = await run('bash', ['scripts/kafka-partitions.sh', ACTION_EVENTS_TOPIC, String(AFTER)], { cwd: WORKSPACE_ROOT, env: { ...process.env, KAFKA_BROKERS: kafka.brokers } });
    expect(raised.stdout).toContain(`raised ${BEFORE} -> ${AFTER}`);
    const again = await run('bash', ['scripts/kafka-partitions.sh', ACTION_EVENTS_TOPIC, String(AFTER)], { cwd: WORKSPACE_ROOT, env: { ...process.env, KAFKA_BROKERS: kafka.brokers } });
    expect(again.stdout).toContain(`already ${AFTER}`);
    await system.restart('audit-projector', 'SIGTERM');
    await system.restart('ingest-api', 'SIGTERM');

    // After: actions 0-39 finish, actions 40-59 send their EARLIER event, 40 new actions start and finish.
    const after = [...range(0, 40).map(executed), ...range(40, 60).map(attempted), ...range(60, 100).flatMap((i) => [attempted(i), executed(i)])];
    await post(after);
    const all = [...before, ...after];
    await waitFor(async () => (await storedOf(all.map((e) => e.eventId!))).length === all.length, { timeoutMs: 60_000, what: 'every event stored' });

    // Every event once, and keys moved: some events on the new partitions, some actions across two partitions.
    const stored = await storedOf(all.map((e) => e.eventId!));
    expect(new Set(stored.map((r) => r.id)).size).toBe(all.length);
    const partitionOf = new Map(stored.map((r) => [r.id, r.p]));
    expect(stored.some((r) => r.p >= BEFORE)).toBe(true);
    const split = range(0, 60).filter((i) => {
      const events = all.filter((e) => e.actionId === `act-${i}`);
      return new Set(events.map((e) => partitionOf.get(e.eventId!))).size > 1;
    });
    expect(split.length).toBeGreaterThan(0);

    // Each new partition's chain starts at the genesis hash; every chain is gapless.
    const chains = await system.db.query(
      `SELECT kafka_partition AS p, min(chain_seq)::int AS first, max(chain_seq)::int AS last, count(*)::int AS n,
              (array_agg(prev_hash ORDER BY chain_seq))[1] AS genesis
         FROM audit_events WHERE tenant_id = $1 GROUP BY kafka_partition ORDER BY 1`,
      [tenant.tenantId],
    );
    for (const c of chains.rows as { p: number; first: number; last: number; n: number; genesis: Buffer }[]) {
      expect({ p: c.p, first: c.first, gapless: c.last === c.n }).toEqual({ p: c.p, first: 1, gapless: true });
      if (c.p >= BEFORE) expect(Buffer.compare(c.genesis, GENESIS_HASH)).toBe(0);
    }

    // A signed checkpoint covers every chain head, the new partitions' included; verification is ok over all of them.
    await system.waitForCheckpointAtHeads(tenant.tenantId);
    const verify = await system.api<{ ok: boolean; eventsChecked: number; chains: { partition: number }[] }>('GET', '/v1/integrity/verify', tenant.apiKeys.read);
    expect(verify.body).toMatchObject({ ok: true, eventsChecked: await system.countStored(tenant.tenantId) });
    expect(verify.body.chains.some((c) => c.partition >= BEFORE)).toBe(true);

    // Every action is whole: both stages, in the order they happened, whichever partition and order they arrived in.
    for (const i of range(0, 100)) {
      const answer = await system.api<{ status: string; timeline: { type: string }[] }>('GET', `/v1/actions/act-${i}`, tenant.apiKeys.read);
      expect({ i, status: answer.body.status, timeline: answer.body.timeline?.map((t) => t.type) }).toEqual({ i, status: 'executed', timeline: ['action.attempted', 'action.executed'] });
    }
  });
});
