import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { eventBatch, toJsonBody, type GeneratedEvent } from './intake-arbitraries';

interface ErrorBody {
  error?: { status: number; code: string; message: string; field?: string; errors?: { field: string; code: string; message: string }[] };
}

/**
 * The intake contract on the real write path (docs/intake-contract.md): fast-check generates
 * batches of valid events and of events with one defect each (NUL and lone surrogates in values and
 * keys, nesting around the 64-level limit, dates at and beyond 1970 and 9999, sizes at and over the
 * byte limits, numbers beyond ±1.8e308, unicode edge cases) and posts them to ingest-api. Every
 * event answered 202 must be stored in audit_events exactly once within seconds; every refused
 * request must be a 400 naming the field of each defective event, and nothing of it stored.
 */
describe('intake contract (property-based)', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  let tenant: TestTenant;
  const accepted: string[] = [];
  const refused: string[] = [];
  let posted = 0;
  const seen = new Set<string>();

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant();
  });

  afterAll(() => system.stop());

  /** Posts a body; a 503 (the broker briefly away) is retried with the same event ids, as a client should. */
  async function post(json: string) {
    for (let attempt = 1; ; attempt++) {
      const answer = await system.http<ErrorBody & { accepted?: { eventId: string }[] }>('POST', `${system.url('ingest-api')}/v1/events`, {
        key: tenant.apiKeys.ingest,
        raw: json,
        contentType: 'application/json',
      });
      if (answer.status !== 503 || attempt === 20) return answer;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }

  it('should store every accepted event exactly once and refuse every other with 400 naming its field', async () => {
    await fc.assert(
      fc.asyncProperty(eventBatch, async (batch) => {
        const ids = batch.map(() => randomUUID());
        const body = { events: batch.map((g, i) => ({ eventId: ids[i], ...g.event })) };
        const answer = await post(toJsonBody(body));
        posted += batch.length;
        for (const g of batch) seen.add(g.kind);
        const defective = batch.map((g, i) => ({ g, i })).filter(({ g }) => g.refusedAt !== undefined);
        if (!defective.length) {
          expect({ kinds: kinds(batch), status: answer.status, body: answer.status === 202 ? undefined : answer.body }).toEqual({ kinds: kinds(batch), status: 202, body: undefined });
          expect(answer.body.accepted?.map((a) => a.eventId)).toEqual(ids);
          accepted.push(...ids);
          return;
        }
        refused.push(...ids);
        expect({ kinds: kinds(batch), status: answer.status }).toEqual({ kinds: kinds(batch), status: 400 });
        const fields = (answer.body.error?.errors ?? []).map((e) => e.field).concat(answer.body.error?.field ?? []);
        // Refused at the first stage that finds a problem, naming what that stage found (stage 3 stops at the first event).
        const stage = Math.min(...defective.map(({ g }) => g.stage ?? 2));
        const atStage = defective.filter(({ g }) => (g.stage ?? 2) === stage);
        const named = stage === 3 ? atStage.slice(0, 1) : atStage;
        for (const { g, i } of named) {
          const prefix = `/events/${i}${g.refusedAt}`;
          expect({ kind: g.kind, named: fields.some((f) => f === prefix || f.startsWith(`${prefix}/`)) }).toEqual({ kind: g.kind, named: true });
        }
        // Errors point only into defective events.
        for (const f of fields) expect(named.map(({ i }) => `/events/${i}`)).toContain(/^\/events\/\d+/.exec(f)?.[0]);
      }),
      { numRuns: 150, endOnFailure: true },
    );

    for (const kind of ['deepest allowed', 'large, within the limit', 'nested 10,000 levels', 'unsafe text in a key', 'over the size limit once redacted']) expect([...seen]).toContain(kind);
    expect(accepted.length).toBeGreaterThan(50);
    expect(refused.length).toBeGreaterThan(50);
    // The tenant's rows also hold the administrative change events of its creation: count ours by id.
    const countsOf = async () => {
      const { rows } = await system.db.query<{ event_id: string; n: number }>(
        `SELECT event_id::text, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND event_id = ANY($2::uuid[]) GROUP BY event_id`,
        [tenant.tenantId, [...accepted, ...refused]],
      );
      return new Map(rows.map((r) => [r.event_id, r.n]));
    };
    let counts = new Map<string, number>();
    const allStored = async () => {
      counts = await countsOf();
      return accepted.every((id) => counts.has(id));
    };
    // Seconds on a quiet stack; the bound is generous because every suite's projector reads the
    // whole shared topic (a concurrent load drill delays it). On a timeout the expectations below
    // name the missing events.
    await waitFor(allStored, { timeoutMs: 60_000, what: `${accepted.length} accepted events stored (of ${posted} posted)` }).catch(() => undefined);
    expect(accepted.filter((id) => counts.get(id) !== 1)).toEqual([]);
    expect(refused.filter((id) => counts.has(id))).toEqual([]);
  });

  it('should accept and store a body at the size limit when all its events share one partition', async () => {
    // ~1 MiB of events of one action: stamping and headers make the messages of one partition larger than the body.
    const actionId = `act-${randomUUID()}`;
    const events = Array.from({ length: 870 }, () => ({
      eventId: randomUUID(),
      type: 'action.attempted',
      actionId,
      occurredAt: new Date().toISOString(),
      input: { note: 'x'.repeat(1_000) },
    }));
    const json = toJsonBody({ events });
    expect(Buffer.byteLength(json)).toBeGreaterThan(1_000_000);
    expect(Buffer.byteLength(json)).toBeLessThan(1_048_576);

    const answer = await post(json);

    expect(answer.status).toBe(202);
    const ids = events.map((e) => e.eventId);
    await waitFor(
      async () => {
        const { rows } = await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND event_id = ANY($2::uuid[])`, [tenant.tenantId, ids]);
        return rows[0].n === ids.length;
      },
      { timeoutMs: 60_000, what: `${ids.length} events of one action stored` },
    );
  });
});

function kinds(batch: GeneratedEvent[]): string {
  return batch.map((g) => g.kind).join(', ');
}
