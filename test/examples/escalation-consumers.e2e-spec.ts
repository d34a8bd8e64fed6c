import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  ACTION_EVENTS_TOPIC,
  actionEventsCodec,
  ESCALATION_EVENT_SCHEMA_VERSION,
  ESCALATIONS_TOPIC,
  escalationEventKey,
  escalationsCodec,
  SCHEMA_VERSION_HEADER,
  type ActionEvent,
  type EscalationEvent,
} from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { anActionEvent, anActionEventInput, LedgerSystem, uniqueSuffix, waitFor, WORKSPACE_ROOT, type TestTenant } from '@agent-ledger/testing';
import { build } from 'esbuild';
import { ExampleProcess } from './example-process';

const TS_EXAMPLE = path.join(WORKSPACE_ROOT, 'examples/escalation-consumer-ts');
const PY_EXAMPLE = path.join(WORKSPACE_ROOT, 'examples/escalation-consumer-python/consumer.py');
const PYTHON = '/usr/bin/python3';

/**
 * The example subscribers of agent-ledger.escalations.v1 (examples/), each a child process in its
 * own consumer group, against the real services: an escalation the worker opens for posted events
 * is printed by both, with the id the ledger stored; a message that breaks the contract or names
 * another schema version is skipped and the partition goes on; a field a later v1 adds is kept,
 * by the examples and by the ledger's own consumers.
 */
describe('escalation consumer examples', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector', 'escalation-worker'] });
  const kafka = createKafka({ brokers: system.stack.kafkaBrokers, clientId: `p3-examples-${system.suffix}` });
  const producer = kafka.producer();
  const bundleDir = mkdtempSync(path.join(tmpdir(), 'escalation-consumer-ts-'));
  let examples: ExampleProcess[] = [];
  let tenant: TestTenant;

  beforeAll(async () => {
    const python = spawnSync(PYTHON, ['-c', 'import confluent_kafka'], { encoding: 'utf8' });
    if (python.status !== 0) throw new Error(`${PYTHON} cannot import confluent_kafka: run 'bash scripts/lib/python-kafka.sh'\n${python.stderr}`);
    // The TypeScript example type-checks against the SDK's source, then runs as one bundle.
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(TS_EXAMPLE, 'tsconfig.repo.json')], { encoding: 'utf8' });
    if (tsc.status !== 0) throw new Error(`examples/escalation-consumer-ts does not type-check:\n${tsc.stdout}${tsc.stderr}`);
    const bundle = path.join(bundleDir, 'consumer.js');
    await build({
      entryPoints: [path.join(TS_EXAMPLE, 'src/consumer.ts')],
      bundle: true,
      platform: 'node',
      target: 'node20',
      tsconfig: path.join(TS_EXAMPLE, 'tsconfig.repo.json'),
      outfile: bundle,
      logLevel: 'warning',
    });

    await system.start();
    tenant = await system.createTenant(`p3-examples-${system.suffix}`);
    await producer.connect();
    // KAFKA_TOPIC_PREFIX: the examples read the topics of this run's namespace, as the services do.
    const env = (groupId: string) => ({ PATH: process.env.PATH, KAFKA_BROKERS: system.stack.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '', GROUP_ID: groupId });
    const groups = { ts: `p3-example-ts-${uniqueSuffix()}`, py: `p3-example-py-${uniqueSuffix()}` };
    // Each group starts at the current end of the topic: earlier runs' escalations are not theirs.
    for (const g of Object.values(groups)) await system.startKafkaGroupAtTopicEnd(g, ESCALATIONS_TOPIC);
    examples = [
      new ExampleProcess('escalation-consumer-ts', process.execPath, [bundle], env(groups.ts)).start(),
      new ExampleProcess('escalation-consumer-python', PYTHON, [PY_EXAMPLE], env(groups.py)).start(),
    ];
    await Promise.all(examples.map((e) => e.waitForDiagnostic(new RegExp(`consuming ${ESCALATIONS_TOPIC.replace(/\./g, '\\.')} as group`))));
  });

  afterAll(async () => {
    const codes = await Promise.all(examples.map((e) => e.stop()));
    await producer.disconnect().catch(() => undefined);
    await system.stop();
    rmSync(bundleDir, { recursive: true, force: true });
    // Both stop cleanly on SIGTERM (a consumer that leaves its group at once).
    expect(codes).toEqual(examples.map(() => 0));
  });

  const ofSession = (sessionId: string, type: string) => (e: Record<string, unknown>) => e.tenantId === tenant.tenantId && e.sessionId === sessionId && e.type === type;

  it('should print the escalation the worker opened, with its id, reason and session, in both languages', async () => {
    const sessionId = `p3-s-${randomUUID().slice(0, 8)}`;
    const answer = await system.postEvents(tenant.apiKeys.ingest, { events: [anActionEventInput({ type: 'signal.handoff_requested', sessionId })] });
    expect(answer.status).toBe(202);

    const printed = await Promise.all(examples.map((e) => e.waitForPrinted(ofSession(sessionId, 'escalation.opened'), `the escalation of ${sessionId}`)));
    const stored = await waitFor(
      async () => (await system.db.query(`SELECT escalation_id, reason FROM escalations WHERE tenant_id = $1 AND session_id = $2`, [tenant.tenantId, sessionId])).rows[0],
      { timeoutMs: 30_000, what: 'the stored escalation' },
    );
    for (const event of printed) {
      expect(event).toMatchObject({ escalationId: stored.escalation_id, reason: 'customer_request', sessionId, tenantId: tenant.tenantId, count: 1 });
    }
    expect(printed[1]).toEqual(printed[0]);
  });

  it('should skip a message that breaks the contract or names another schema, then print the next one with a field it does not know', async () => {
    const sessionId = `p3-s-${randomUUID().slice(0, 8)}`;
    const base = { eventId: randomUUID(), escalationId: randomUUID(), tenantId: tenant.tenantId, sessionId, occurredAt: new Date().toISOString() };
    // Both readers refuse it: an escalation id that is not a UUID, no count.
    const broken = { ...base, escalationId: 'esc-1', type: 'escalation.opened', reason: 'manual', severity: 'error', summary: 's', customerMessage: 'c', triggeringEventIds: [] };
    const later = { ...base, eventId: randomUUID(), type: 'escalation.acknowledged', acknowledgedBy: 'jane', channel: 'slack' } as EscalationEvent;
    const key = escalationEventKey(tenant.tenantId, sessionId);
    const headers = { [SCHEMA_VERSION_HEADER]: ESCALATION_EVENT_SCHEMA_VERSION };
    // One key, so one partition: each example reads them in this order.
    await producer.send({
      topic: ESCALATIONS_TOPIC,
      messages: [
        { key, value: JSON.stringify(broken), headers },
        { key, value: JSON.stringify({ ...later, eventId: randomUUID() }), headers: { [SCHEMA_VERSION_HEADER]: 'escalation-event.v2' } },
        { ...escalationsCodec.encode(later) },
      ],
    });

    for (const example of examples) {
      const printed = await example.waitForPrinted(ofSession(sessionId, 'escalation.acknowledged'), 'the acknowledgement');
      expect(printed).toEqual(later);
      expect(example.printed.filter((e) => e.sessionId === sessionId)).toEqual([later]);
      const topic = ESCALATIONS_TOPIC.replace(/\./g, '\\.');
      expect(example.diagnostics).toMatch(new RegExp(`skipped ${topic}\\[\\d+\\]@\\d+: (?=.*/escalationId)(?=.*/count)`));
      expect(example.diagnostics).toMatch(new RegExp(`skipped ${topic}\\[\\d+\\]@\\d+: schema escalation-event\\.v2`));
    }
  });

  it('should store, verify and escalate an action event of a later v1 producer whose fields this ledger does not know', async () => {
    const sessionId = `p3-s-${randomUUID().slice(0, 8)}`;
    const base = anActionEvent(tenant.tenantId, { type: 'signal.handoff_requested', sessionId });
    const event = { ...base, laterField: { tier: 'gold' }, tool: { ...base.tool!, costClass: 'b' } } as ActionEvent;
    // What a newer producer publishes directly; ingest (input form, closed) would refuse these fields.
    await producer.send({ topic: ACTION_EVENTS_TOPIC, messages: [actionEventsCodec.encode(event)] });

    const printed = await Promise.all(examples.map((e) => e.waitForPrinted(ofSession(sessionId, 'escalation.opened'), `the escalation of ${sessionId}`)));
    expect(printed.map((e) => [e.reason, (e.triggeringEventIds as string[]).includes(event.eventId)])).toEqual([
      ['customer_request', true],
      ['customer_request', true],
    ]);
    const row = await waitFor(
      async () => (await system.db.query(`SELECT event_json FROM audit_events WHERE tenant_id = $1 AND event_id = $2`, [tenant.tenantId, event.eventId])).rows[0],
      { timeoutMs: 30_000, what: 'the stored event' },
    );
    expect(JSON.parse(row.event_json)).toMatchObject({ laterField: { tier: 'gold' }, tool: { costClass: 'b' } });
    await system.waitForCheckpointAtHeads(tenant.tenantId);
    const verify = await system.api<{ ok: boolean }>('GET', '/v1/integrity/verify', tenant.apiKeys.read);
    expect(verify).toMatchObject({ status: 200, body: { ok: true, failures: [] } });
  });
});
