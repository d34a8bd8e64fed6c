import { randomUUID } from 'node:crypto';
import { createLedgerDataSource, runMigrations, type DataSource } from '@agent-ledger/persistence';
import { seededRandom, stackEnv } from '@agent-ledger/testing';
import type { AcceptedMessage } from './event-intake';
import { ProducerSequencesRepository } from './producer-sequences.repository';
import { ProjectionRepository } from './projection.repository';

const message = (tenantId: string, producerId: string | undefined, seq: number): AcceptedMessage =>
  ({ event: { tenantId, eventId: randomUUID(), ...(producerId ? { producer: { id: producerId, seq } } : {}) } }) as unknown as AcceptedMessage;

describe(ProducerSequencesRepository.name, () => {
  const tenantId = randomUUID();
  const repository = new ProducerSequencesRepository();
  let ds: DataSource;

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 8 });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `producer-seq-int-${tenantId}`]);
  });

  afterAll(async () => {
    await ds.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    await ds.destroy();
  });

  const record = (producerId: string | undefined, seqs: number[]) =>
    new ProjectionRepository(ds).transaction((tx) => repository.record(tx, seqs.map((s) => message(tenantId, producerId, s))));
  const gaps = async (producerId: string, open = true) =>
    (
      (await ds.query(
        `SELECT first_seq::int AS f, last_seq::int AS l FROM producer_gaps WHERE tenant_id = $1 AND producer_id = $2 AND (closed_at IS NULL) = $3 ORDER BY first_seq`,
        [tenantId, producerId, open],
      )) as { f: number; l: number }[]
    ).map((g) => [g.f, g.l]);
  const sequence = async (producerId: string) =>
    ((await ds.query(`SELECT max_seq::int AS max, events::int AS events FROM producer_sequences WHERE tenant_id = $1 AND producer_id = $2`, [tenantId, producerId])) as {
      max: number;
      events: number;
    }[])[0];

  it('should open the skipped ranges and close them as late numbers arrive out of order', async () => {
    const p = `p-${randomUUID()}`;

    expect(await record(p, [1, 2, 3, 8])).toEqual({ producers: 1, gapsOpened: 1, gapsClosed: 0 });
    expect(await gaps(p)).toEqual([[4, 7]]);
    await record(p, [6]);
    expect(await gaps(p)).toEqual([
      [4, 5],
      [7, 7],
    ]);
    await record(p, [12, 4]);
    expect(await gaps(p)).toEqual([
      [5, 5],
      [7, 7],
      [9, 11],
    ]);
    expect(await record(p, [7, 5, 9, 10, 11])).toEqual({ producers: 1, gapsOpened: 0, gapsClosed: 3 });

    expect(await gaps(p)).toEqual([]);
    expect(await sequence(p)).toEqual({ max: 12, events: 12 });
    expect((await gaps(p, false)).length).toBe(3);
  });

  it('should keep the opened and handled marks on the piece split from a gap', async () => {
    const p = `p-${randomUUID()}`;
    await record(p, [1, 10]);
    await ds.query(`UPDATE producer_gaps SET opened_at = now() - interval '1 hour', escalated_at = now() WHERE tenant_id = $1 AND producer_id = $2`, [tenantId, p]);

    await record(p, [5]);

    const rows = (await ds.query(
      `SELECT first_seq::int AS f, opened_at < now() - interval '59 minutes' AS old, escalated_at IS NOT NULL AS handled FROM producer_gaps WHERE tenant_id = $1 AND producer_id = $2 ORDER BY first_seq`,
      [tenantId, p],
    )) as { f: number; old: boolean; handled: boolean }[];
    expect(rows).toEqual([
      { f: 2, old: true, handled: true },
      { f: 6, old: true, handled: true },
    ]);
  });

  it('should account nothing for events without a producer stamp', async () => {
    expect(await record(undefined, [1, 5])).toEqual({ producers: 0, gapsOpened: 0, gapsClosed: 0 });
  });

  it('should end with exactly the withheld numbers missing when batches of one producer run concurrently in any order', async () => {
    const random = seededRandom(20);
    const p = `p-${randomUUID()}`;
    const withheld = new Set([5, 6, 7, 40, 99, 100, 150]);
    const sent = Array.from({ length: 200 }, (_, i) => i + 1)
      .filter((s) => !withheld.has(s))
      .sort(() => random() - 0.5);
    const batches = Array.from({ length: 12 }, (_, b) => sent.filter((_, i) => i % 12 === b));

    await Promise.all(batches.map((b) => record(p, b)));

    expect(await gaps(p)).toEqual([
      [5, 7],
      [40, 40],
      [99, 100],
      [150, 150],
    ]);
    expect(await sequence(p)).toEqual({ max: 200, events: sent.length });

    await Promise.all([...withheld].map((s) => record(p, [s])));

    expect(await gaps(p)).toEqual([]);
    expect(await sequence(p)).toEqual({ max: 200, events: 200 });
  });
});
