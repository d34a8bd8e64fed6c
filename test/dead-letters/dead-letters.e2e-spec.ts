import { randomUUID } from 'node:crypto';
import { ACTION_EVENTS_DLQ_TOPIC, ACTION_EVENTS_TOPIC, actionEventKey, ESCALATIONS_DLQ_TOPIC, SCHEMA_VERSION_HEADER } from '@agent-ledger/contracts';
import { createKafka, LedgerProducer } from '@agent-ledger/kafka';
import { anActionEvent, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { cleanEnv, runCli } from '../cli/cli-runner';

interface Letter {
  id: string;
  consumerGroup: string;
  sourceTopic: string;
  eventId: string | null;
  eventType: string | null;
  errorClass: string;
  reasonCode: string;
  reason: string;
  replayable: boolean;
  deadLetteredAt: string;
  replayedAt: string | null;
  replayCount: number;
  messageKey?: string;
}
interface LetterPage {
  items: Letter[];
  nextCursor: string | null;
}

/**
 * Dead letters end to end: action events the projector cannot store, published straight to the
 * topic as a direct producer would, are recorded, shown to their tenant only (API, stats, metric)
 * and replayed after a fix, stored exactly once.
 */
describe('dead letters', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-api', 'audit-projector'] });
  const producer = new LedgerProducer(createKafka({ brokers: system.stack.kafkaBrokers, clientId: `dead-letters-${system.suffix}` }));
  let tenant: TestTenant;
  let other: TestTenant;

  /** A value that is JSON naming the tenant but fails the schema at /tool/riskLevel. */
  const schemaFailure = (tenantId: string) => ({ ...anActionEvent(tenantId, { type: 'action.attempted' }), tool: { name: 'refund_order', riskLevel: 'apocalyptic' } });
  const publish = (events: { tenantId: string; actionId?: string; eventId: string }[]) =>
    producer.send(
      ACTION_EVENTS_TOPIC,
      events.map((e) => ({ key: actionEventKey(e.tenantId, e as { eventId: string }), value: JSON.stringify(e), headers: { [SCHEMA_VERSION_HEADER]: 'action-event.v1' } })),
    );
  const letters = (key: string, query = '', root = false) => system.api<LetterPage>('GET', `${root ? '/v1/admin/dead-letters' : '/v1/dead-letters'}${query}`, key);
  const cliEnv = (key: string) => cleanEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: key });
  const letterOf = async (key: string, eventId: string, query = '', root = false) => (await letters(key, query, root)).body.items?.find((l) => l.eventId === eventId);

  beforeAll(async () => {
    // The projector's dead-letter group starts at the end of the dead-letter topics: earlier letters are not this suite's business.
    for (const topic of [ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC]) await system.startKafkaGroupAtTopicEnd(`${system.projectorGroup}-dead-letters`, topic);
    await system.start();
    [tenant, other] = await Promise.all([system.createTenant(`dlq-${system.suffix}`), system.createTenant(`dlq-other-${system.suffix}`)]);
  });

  afterAll(async () => {
    await producer.disconnect();
    await system.stop();
  });

  it('should show a schema-failing event to its tenant with the failing field, in stats and in the metric, and to no other tenant', async () => {
    const bad = schemaFailure(tenant.tenantId);
    await publish([bad]);

    const letter = await waitFor(() => letterOf(tenant.apiKeys.read, bad.eventId, '?reasonCode=schema&replayed=false'), { timeoutMs: 30_000, what: 'the dead letter listed' });
    expect(letter).toMatchObject({ sourceTopic: ACTION_EVENTS_TOPIC, eventType: 'action.attempted', errorClass: 'invalid', reasonCode: 'schema', replayable: true, replayedAt: null, replayCount: 0 });
    expect(letter.reason).toContain('/tool/riskLevel');
    expect(Object.keys(letter)).not.toEqual(expect.arrayContaining(['messageValue']));
    expect(Object.keys(letter)).not.toContain('messageKey');
    expect((await system.api('GET', `/v1/dead-letters/${letter.id}`, tenant.apiKeys.read)).body).toMatchObject({ id: letter.id, eventId: bad.eventId });

    const stats = await system.api<{ deadLetters: { inWindow: number; unreplayed: number } }>('GET', '/v1/stats', tenant.apiKeys.read);
    expect(stats.body.deadLetters.inWindow).toBeGreaterThanOrEqual(1);
    expect(stats.body.deadLetters.unreplayed).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${system.url('audit-projector')}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`^ledger_dead_letters_recorded_total\\{source_topic="${ACTION_EVENTS_TOPIC.replace(/\./g, '\\.')}",reason_code="schema"\\} [1-9]`, 'm'));
    const cli = await runCli(['dead-letters', '--reason', 'schema', '--replayed', 'false', '--json'], cliEnv(tenant.apiKeys.read));
    expect(cli.code).toBe(0);
    expect(cli.stdout.trim().split('\n').map((l) => JSON.parse(l).eventId)).toContain(bad.eventId);

    // Another tenant sees nothing of it and cannot replay it.
    expect((await system.api('GET', `/v1/dead-letters/${letter.id}`, other.apiKeys.read)).status).toBe(404);
    expect((await letters(other.apiKeys.read)).body.items.map((l) => l.eventId)).not.toContain(bad.eventId);
    expect((await system.api('GET', '/v1/stats', other.apiKeys.read)).body).toMatchObject({ deadLetters: { inWindow: 0, unreplayed: 0 } });
    const foreign = await system.api('POST', '/v1/dead-letters/replay', other.apiKeys.admin, { ids: [letter.id] });
    expect(foreign).toMatchObject({ status: 200, body: { replayed: 0, skipped: [{ id: letter.id, reason: 'not_found' }] } });
  });

  it('should refuse bad input with 400 naming the field and replays without the admin scope with 403', async () => {
    const cases: [string, string, unknown, string][] = [
      ['GET', '/v1/dead-letters?replayed=maybe', undefined, 'replayed'],
      ['GET', '/v1/dead-letters?reasonCode=a%00b', undefined, 'reasonCode'],
      ['GET', '/v1/dead-letters?from=2026-02-30', undefined, 'from'],
      ['GET', '/v1/dead-letters?from=2026-02-02&to=2026-02-01', undefined, 'from'],
      ['GET', '/v1/dead-letters?cursor=bm9wZQ', undefined, 'cursor'],
      ['GET', '/v1/dead-letters?colour=red', undefined, 'colour'],
      ['GET', '/v1/dead-letters/12abc', undefined, 'id'],
      ['GET', '/v1/dead-letters/99999999999999999999', undefined, 'id'],
      ['POST', '/v1/dead-letters/replay', {}, '/ids'],
      ['POST', '/v1/dead-letters/replay', { ids: [] }, '/ids'],
      ['POST', '/v1/dead-letters/replay', { ids: ['1; DROP TABLE'] }, '/ids/0'],
      ['POST', '/v1/dead-letters/replay', { all: false }, '/all'],
      ['POST', '/v1/dead-letters/replay', { ids: ['1'], all: true }, '/ids'],
    ];
    for (const [method, path, body, field] of cases) {
      const answer = await system.api<{ error: { status: number; field: string } }>(method, path, tenant.apiKeys.admin, body);
      expect({ path, body, status: answer.status, field: answer.body.error?.field }).toEqual({ path, body, status: 400, field });
    }
    expect((await system.api('POST', '/v1/dead-letters/replay', tenant.apiKeys.read, { all: true })).status).toBe(403);
    expect((await system.api('GET', '/v1/admin/dead-letters', tenant.apiKeys.admin)).status).toBe(401);
  });

  it('should store an event for a tenant unknown at the time exactly once when the operator replays its letter after restoring the tenant', async () => {
    const restored = randomUUID();
    const event = anActionEvent(restored, { type: 'action.attempted' });
    await publish([event]);

    const letter = await waitFor(() => letterOf(system.rootKey, event.eventId, '?reasonCode=unknown_tenant', true), { timeoutMs: 30_000, what: 'the letter in the operator view' });
    expect(letter).toMatchObject({ reasonCode: 'unknown_tenant', replayable: true, messageKey: actionEventKey(restored, event) });
    expect((await system.api('GET', `/v1/dead-letters/${letter.id}`, tenant.apiKeys.read)).status).toBe(404);

    await system.db.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [restored, `dlq-restored-${system.suffix}`]);
    const first = await system.api('POST', '/v1/admin/dead-letters/replay', system.rootKey, { ids: [letter.id] });
    expect(first).toMatchObject({ status: 200, body: { replayed: 1, skipped: [] } });
    await system.waitForStored(restored, 1, 30_000);

    // A second replay, then a later event of the same action: once it is stored, the replay has been read too.
    expect((await system.api('POST', '/v1/admin/dead-letters/replay', system.rootKey, { ids: [letter.id] })).body).toMatchObject({ replayed: 1 });
    const later = anActionEvent(restored, { type: 'action.executed', actionId: event.actionId });
    await publish([later]);
    await system.waitForStored(restored, 2, 30_000);
    const { rows } = await system.db.query(`SELECT event_id::text AS id FROM audit_events WHERE tenant_id = $1 ORDER BY id`, [restored]);
    expect(rows.map((r) => r.id).sort()).toEqual([event.eventId, later.eventId].sort());
    expect((await system.api('GET', `/v1/admin/dead-letters/${letter.id}`, system.rootKey)).body).toMatchObject({ replayCount: 2, replayedAt: expect.any(String) });
  });

  it("should replay the tenant's unreplayed letters with its admin key and record the replay in its change log", async () => {
    const bad = schemaFailure(tenant.tenantId);
    await publish([bad]);
    const letter = await waitFor(() => letterOf(tenant.apiKeys.read, bad.eventId, '?replayed=false'), { timeoutMs: 30_000, what: 'the second dead letter listed' });

    expect((await runCli(['dead-letters', 'replay', '--all'], cliEnv(tenant.apiKeys.read))).code).toBe(4);
    const cli = await runCli(['dead-letters', 'replay', '--all', '--json'], cliEnv(tenant.apiKeys.admin));
    expect(cli.code).toBe(0);
    const answer = JSON.parse(cli.stdout.trim().split('\n')[0]) as { replayed: number; skipped: unknown[]; remaining: number };
    // Projectors of other consumer groups on the same topic may add letters for the same events meanwhile.
    expect(answer.replayed).toBeGreaterThanOrEqual(2);
    expect(answer.remaining).toEqual(expect.any(Number));
    expect((await system.api('GET', `/v1/dead-letters/${letter.id}`, tenant.apiKeys.read)).body).toMatchObject({ replayCount: 1, replayedAt: expect.any(String) });
    expect((await letterOf(tenant.apiKeys.read, bad.eventId, '?replayed=true'))?.id).toBeDefined();

    // Still invalid: the replayed message is dead-lettered again, as a new letter.
    const again = await waitFor(async () => (await letters(tenant.apiKeys.read, '?replayed=false')).body.items.find((l) => l.eventId === bad.eventId), { timeoutMs: 30_000, what: 'the replayed message dead-lettered again' });
    expect(Number(again.id)).toBeGreaterThan(Number(letter.id));

    const change = await waitFor(
      async () => {
        const { rows } = await system.db.query(`SELECT event_json FROM audit_events WHERE tenant_id = $1 AND type = 'change.recorded'`, [tenant.tenantId]);
        return rows.map((r) => JSON.parse(r.event_json)).find((e) => e.metadata?.action === 'dead_letters.replayed');
      },
      { timeoutMs: 30_000, what: 'the replay in the change log' },
    );
    expect(change.changes.after.replayed).toEqual(expect.arrayContaining([letter.id]));
  });
});
