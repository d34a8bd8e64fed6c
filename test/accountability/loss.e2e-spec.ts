import { randomUUID } from 'node:crypto';
import type { ActionEventInput, EscalationEvent } from '@agent-ledger/contracts';
import { LedgerClient } from '@agent-ledger/sdk';
import { anActionEventInput, expectResponseMatchesOpenApi, EscalationTap, LedgerSystem, waitFor, type OpenApiDocument, type TestTenant } from '@agent-ledger/testing';

const MAX_GAP_AGE_MS = 2_000;

interface Gap {
  id: string;
  producerId: string;
  firstSeq: number;
  lastSeq: number;
  missingEvents: number;
  state: 'open' | 'closed';
  closedAt: string | null;
  escalatedAt: string | null;
}
interface LossPage {
  totals: { producers: number; accountedEvents: number; openGaps: number; missingEvents: number; closedGaps: number };
  gaps: Gap[];
  nextCursor: string | null;
}
type Opened = Extract<EscalationEvent, { type: 'escalation.opened' }>;

/**
 * Loss accounting over the real Kafka, PostgreSQL and Redis: a producer that skips sequence numbers
 * 5–7 has the gap listed, escalated (events_missing) after the tenant's bound, and closed when 5–7
 * arrive late; the SDK stamps its events; events without a stamp are not accounted. Every answer of
 * the endpoint is checked against the OpenAPI document audit-api serves.
 */
describe('loss accounting (producer sequences)', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector', 'escalation-worker'] });
  const tap = new EscalationTap(system, () => tenant.tenantId);
  const received = tap.received;
  let tenant: TestTenant;
  let document: OpenApiDocument;

  beforeAll(async () => {
    await system.start();
    document = (await (await fetch(`${system.url('audit-api')}/docs-json`)).json()) as OpenApiDocument;
    tenant = await system.createTenant(`loss-${system.suffix}`);
    const rules = await system.api('PUT', '/v1/escalation-rules', tenant.apiKeys.admin, { rules: { events_missing: { maxGapAgeMs: MAX_GAP_AGE_MS } } });
    expect(rules.status).toBe(200);
    // A downstream subscriber in its own group, from the current end of the topic.
    await tap.start();
  });

  afterAll(async () => {
    await tap.stop();
    await system.stop();
  });

  const post = async (events: ActionEventInput[]) => expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
  const loss = async (query = '') => {
    const answer = await system.api<LossPage>('GET', `/v1/integrity/loss${query}`, tenant.apiKeys.read);
    expect(answer.status).toBe(200);
    expectResponseMatchesOpenApi(document, 'GET', `/v1/integrity/loss${query}`, answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
    return answer.body;
  };
  const stamped = (producerId: string, seq: number) =>
    anActionEventInput({ type: 'signal.rate_limited', sessionId: `s-${producerId}`, producer: { id: producerId, seq } } as Partial<ActionEventInput>);

  it('should list the skipped range 5–7, escalate it after the bound, and close it when 5–7 arrive late', async () => {
    const producer = `p-${randomUUID()}`;
    const sent = new Map([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((seq) => [seq, stamped(producer, seq)]));
    const early = [1, 2, 3, 4, 8, 9, 10].map((seq) => sent.get(seq)!);
    await post(early);
    // A redelivery of an event already sent (same eventId) is not counted twice.
    await post([sent.get(9)!]);
    const open = await waitFor(
      async () => {
        const page = await loss(`?producerId=${producer}`);
        return page.totals.accountedEvents === 7 ? page : undefined;
      },
      { timeoutMs: 20_000, what: 'the 7 events accounted' },
    );
    expect(open.gaps).toEqual([expect.objectContaining({ producerId: producer, firstSeq: 5, lastSeq: 7, missingEvents: 3, state: 'open', closedAt: null })]);
    expect(open.totals).toEqual({ producers: 1, accountedEvents: 7, openGaps: 1, missingEvents: 3, closedGaps: 0 });
    const stats = await system.api<{ loss: { openGaps: number; missingEvents: number } }>('GET', '/v1/stats', tenant.apiKeys.read);
    expect(stats.body.loss).toEqual({ openGaps: 1, missingEvents: 3 });

    const session = `producer:${producer}`;
    await waitFor(() => received.some((e) => e.sessionId === session && e.type === 'escalation.opened'), { timeoutMs: 30_000, what: 'the events_missing escalation' });
    const [escalation] = received.filter((e): e is Opened => e.sessionId === session && e.type === 'escalation.opened');
    expect(escalation).toMatchObject({ reason: 'events_missing', tenantId: tenant.tenantId, summary: expect.stringContaining('5–7') });
    await waitFor(async () => (await loss(`?producerId=${producer}`)).gaps[0]?.escalatedAt !== null, { timeoutMs: 10_000, what: 'the gap marked escalated' });

    await post([5, 6, 7].map((seq) => sent.get(seq)!));
    await waitFor(async () => (await loss(`?producerId=${producer}`)).totals.openGaps === 0, { timeoutMs: 20_000, what: 'the gap closed' });
    const closed = await loss(`?producerId=${producer}&state=closed`);
    expect(closed.gaps).toEqual([expect.objectContaining({ firstSeq: 5, lastSeq: 7, state: 'closed', closedAt: expect.any(String), escalatedAt: expect.any(String) })]);
    expect(closed.totals).toEqual({ producers: 1, accountedEvents: 10, openGaps: 0, missingEvents: 0, closedGaps: 1 });
    // The gap escalated once, and its escalation is resolved now that the events arrived.
    expect(received.filter((e) => e.sessionId === session && e.type === 'escalation.opened')).toHaveLength(1);
    await waitFor(() => received.some((e) => e.sessionId === session && e.type === 'escalation.resolved'), { timeoutMs: 30_000, what: 'the events_missing escalation resolved' });
    expect(received.filter((e) => e.sessionId === session && e.type === 'escalation.resolved')).toEqual([
      expect.objectContaining({ escalationId: escalation.escalationId, resolvedBy: 'system:loss-accounting', notes: expect.stringContaining('missing events arrived') }),
    ]);
    const stored = await waitFor(
      async () => {
        const answer = await system.api<{ status: string; resolvedBy?: string }>('GET', `/v1/escalations/${escalation.escalationId}`, tenant.apiKeys.read);
        return answer.body.status === 'resolved' ? answer.body : undefined;
      },
      { timeoutMs: 20_000, what: 'the escalation stored as resolved' },
    );
    expect(stored).toMatchObject({ status: 'resolved', resolvedBy: 'system:loss-accounting' });
  });

  it('should account the SDK client’s stamped events without a gap, and not account events without a stamp', async () => {
    const before = (await loss('?state=all')).totals;
    const storedBefore = await system.countStored(tenant.tenantId);
    const client = new LedgerClient({ url: system.url('ingest-api'), apiKey: tenant.apiKeys.ingest });
    const plain = new LedgerClient({ url: system.url('ingest-api'), apiKey: tenant.apiKeys.ingest, producerStamp: false });
    for (let i = 0; i < 3; i++) await client.rateLimited({ sessionId: 's-sdk' });
    await plain.rateLimited({ sessionId: 's-plain' });
    await post([anActionEventInput({ type: 'signal.rate_limited', sessionId: 's-plain' })]);
    await client.close();
    await plain.close();
    // Every event of this test stored: 3 stamped by the SDK, 2 without a stamp.
    await system.waitForStored(tenant.tenantId, storedBefore + 5);

    const after = (await loss('?state=all')).totals;
    expect(after).toEqual({ ...before, producers: before.producers + 1, accountedEvents: before.accountedEvents + 3 });
    expect((await loss(`?producerId=${client.producerId}&state=all`)).gaps).toEqual([]);
  });

  it.each([
    ['?state=lost', 'state'],
    ['?limit=0', 'limit'],
    ['?cursor=not-a-cursor', 'cursor'],
    ['?producerId=', 'producerId'],
    ['?since=yesterday', 'since'],
  ])('should refuse %s with a 400 naming the field', async (query, field) => {
    const answer = await system.api<{ error: { status: number; field: string } }>('GET', `/v1/integrity/loss${query}`, tenant.apiKeys.read);

    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ status: 400, field });
    expectResponseMatchesOpenApi(document, 'GET', `/v1/integrity/loss${query}`, answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
  });
});
