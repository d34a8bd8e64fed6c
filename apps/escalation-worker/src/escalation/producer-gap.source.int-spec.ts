import { randomUUID } from 'node:crypto';
import { DEFAULT_SETTINGS, type EscalationSettings } from '@agent-ledger/escalation-rules';
import { createLedgerDataSource, runMigrations, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import { deterministicId } from './deterministic-id';
import { ProducerGapSource } from './producer-gap.source';

const withGapRule = (rule: Partial<EscalationSettings['rules']['events_missing']>): EscalationSettings => ({
  ...DEFAULT_SETTINGS,
  rules: { ...DEFAULT_SETTINGS.rules, events_missing: { ...DEFAULT_SETTINGS.rules.events_missing, ...rule } },
});

/** The source over the real `producer_gaps` table (rows written as the projector writes them). */
describe(ProducerGapSource.name, () => {
  const slow = randomUUID();
  const fast = randomUUID();
  const off = randomUUID();
  const settings = new Map<string, EscalationSettings>([
    [slow, withGapRule({ maxGapAgeMs: 60 * 60_000 })],
    [fast, withGapRule({ maxGapAgeMs: 60_000 })],
    [off, withGapRule({ enabled: false })],
  ]);
  const settingsOf = async (tenantId: string) => settings.get(tenantId) ?? DEFAULT_SETTINGS;
  let ds: DataSource;
  let source: ProducerGapSource;

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    for (const id of [slow, fast, off]) await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [id, `gap-source-int-${id}`]);
    source = new ProducerGapSource(ds);
  });

  afterAll(async () => {
    await ds.query(`DELETE FROM tenants WHERE id = ANY ($1::uuid[])`, [[slow, fast, off]]);
    await ds.destroy();
  });

  const gap = async (tenantId: string, producerId: string, first: number, last: number, ageMs: number, closed = false): Promise<string> => {
    const [{ id }] = await ds.query(
      `INSERT INTO producer_gaps (tenant_id, producer_id, first_seq, last_seq, opened_at, closed_at)
       VALUES ($1, $2, $3, $4, now() - $5 * interval '1 millisecond', CASE WHEN $6 THEN now() END) RETURNING id::text AS id`,
      [tenantId, producerId, first, last, ageMs, closed],
    );
    return id;
  };
  const mine = async () => (await source.due(10_000, settingsOf)).filter((f) => settings.has(f.fire.tenantId));

  it("should fire each open, unhandled gap older than its tenant's bound (at once when the rule is off), oldest first", async () => {
    await gap(slow, 'p-young', 1, 2, 10 * 60_000);
    const old = await gap(slow, 'p-old', 5, 7, 2 * 60 * 60_000);
    const due = await gap(fast, 'p-fast', 3, 3, 2 * 60_000);
    await gap(fast, 'p-closed', 4, 9, 2 * 60 * 60_000, true);
    const ignored = await gap(off, 'p-off', 1, 1, 0);

    const found = await mine();

    expect(found.map((f) => f.key)).toEqual([old, due, ignored]);
    expect(found[0].fire).toEqual({
      tenantId: slow,
      sessionId: 'producer:p-old',
      reason: 'events_missing',
      summary: expect.stringMatching(/^Producer p-old: events 5–7 missing \(3 events\) since \d{4}-\d\d-\d\dT/),
      triggerId: deterministicId('producer_gap', slow, old),
    });
    expect(found[1].fire.summary).toMatch(/^Producer p-fast: event 3 missing \(1 event\)/);
  });

  it('should not return a gap again once it is marked handled, and honour the limit', async () => {
    const first = await source.due(1, settingsOf);
    expect(first).toHaveLength(1);

    await source.markHandled(await mine());

    expect(await mine()).toEqual([]);
    const [{ n }] = await ds.query(`SELECT count(*)::int AS n FROM producer_gaps WHERE tenant_id = ANY ($1::uuid[]) AND escalated_at IS NOT NULL`, [[slow, fast, off]]);
    expect(n).toBe(3);
  });

  it('should resolve a producer once every escalated gap of it has closed, and not return it again once marked', async () => {
    const escalated = async (producerId: string, first: number, last: number, closed: boolean) => {
      const id = await gap(fast, producerId, first, last, 5 * 60_000, closed);
      await ds.query(`UPDATE producer_gaps SET escalated_at = now() WHERE id = $1`, [id]);
      return id;
    };
    const a1 = await escalated('p-filled', 5, 7, true);
    const a2 = await escalated('p-filled', 12, 12, true);
    await escalated('p-partly', 1, 2, true);
    const stillOpen = await escalated('p-partly', 8, 9, false);
    await gap(fast, 'p-never-escalated', 3, 4, 0, true);
    const resolvable = async () => (await source.resolutions(10_000)).filter((r) => r.tenantId === fast);

    expect(await resolvable()).toEqual([
      {
        keys: [a1, a2],
        tenantId: fast,
        sessionId: 'producer:p-filled',
        reason: 'events_missing',
        resolvedBy: 'system:loss-accounting',
        notes: 'Producer p-filled: the missing events arrived (4 sequence numbers filled); no escalated gap is open',
      },
    ]);

    await source.markResolved(await resolvable());
    expect(await resolvable()).toEqual([]);
    // The last escalated gap of p-partly closes: p-partly is resolvable now.
    await ds.query(`UPDATE producer_gaps SET closed_at = now() WHERE id = $1`, [stillOpen]);
    expect((await resolvable()).map((r) => [r.sessionId, r.keys.length])).toEqual([['producer:p-partly', 2]]);
  });
});
