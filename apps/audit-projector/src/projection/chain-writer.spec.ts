import { randomBytes, randomUUID } from 'node:crypto';
import { GENESIS_HASH, hashEvent, isPiiEnvelope, type DataKey } from '@agent-ledger/integrity';
import { SubjectKeyStore, type ResolvedSubjectKeys } from '@agent-ledger/persistence';
import { anActionEvent } from '@agent-ledger/testing';
import { ChainWriter } from './chain-writer';
import type { ChainRepository } from './chain.repository';
import { acceptedMessages } from './projection-test-messages.fixtures';
import type { AuditEventInsert, ChainHead, ProjectionTransaction } from './projection.repository';

const tx = {} as ProjectionTransaction;
const noKeys = (): ResolvedSubjectKeys => ({ keys: new Map(), erased: new Set(), unopenable: new Map(), loaded: new Map() });

/** Chain heads held in memory; inserted rows recorded. */
function fakeChains(stored: Map<string, ChainHead> = new Map()) {
  const inserted: AuditEventInsert[][] = [];
  const locked: string[][] = [];
  const repository = {
    lockHeads: async (_tx: ProjectionTransaction, _partition: number, tenantIds: string[], genesis: Buffer) => {
      locked.push(tenantIds);
      return new Map(tenantIds.map((t) => [t, stored.get(t) ?? { seq: 0n, hash: genesis }]));
    },
    insert: async (_tx: ProjectionTransaction, _partition: number, rows: AuditEventInsert[]) => {
      inserted.push(rows);
    },
  } as unknown as ChainRepository;
  return { writer: new ChainWriter(repository), inserted, locked };
}

describe(ChainWriter.name, () => {
  const a = randomUUID();
  const b = randomUUID();

  it('should link each tenant’s events to its own chain head in offset order', async () => {
    const head = { seq: 41n, hash: randomBytes(32) };
    const { writer, inserted } = fakeChains(new Map([[b, head]]));
    const events = acceptedMessages([anActionEvent(a), anActionEvent(b), anActionEvent(a)]);

    const out = await writer.append(tx, 3, events, noKeys());

    expect(inserted).toEqual([out.rows]);
    expect(out.rows.map((r) => [r.tenantId, r.chainSeq])).toEqual([[a, 1n], [b, 42n], [a, 2n]]);
    expect(out.rows[0].prevHash).toEqual(GENESIS_HASH);
    expect(out.rows[1].prevHash).toEqual(head.hash);
    expect(out.rows[2].prevHash).toEqual(out.rows[0].hash);
    for (const r of out.rows) expect(r.hash).toEqual(hashEvent(r.prevHash, r.eventJson));
    expect(out.heads.get(a)).toEqual({ seq: 2n, hash: out.rows[2].hash });
    expect(out.heads.get(b)).toEqual({ seq: 42n, hash: out.rows[1].hash });
  });

  it('should store and hash the JSON intake serialized when the event holds no clear PII', async () => {
    const { writer } = fakeChains();
    const [event] = acceptedMessages([anActionEvent(a)]);

    const { rows } = await writer.append(tx, 0, [event], noKeys());

    expect(rows[0].eventJson).toBe(event.eventJson);
    expect(rows[0].kafkaOffset).toBe(event.offset);
  });

  it('should seal clear PII under the subject key before hashing when a direct producer sent it in clear', async () => {
    const { writer } = fakeChains();
    const key: DataKey = { keyId: randomUUID(), key: randomBytes(32) };
    const keys = { ...noKeys(), keys: new Map([[SubjectKeyStore.keyOf(a, 'cust-1'), key]]) };
    const [event] = acceptedMessages([anActionEvent(a, { subject: { id: 'cust-1', pii: { email: 'jane@example.com' } } })]);

    const { rows } = await writer.append(tx, 0, [event], keys);

    expect(rows[0].eventJson).not.toContain('jane@example.com');
    const stored = JSON.parse(rows[0].eventJson) as { subject: { pii: unknown } };
    expect(isPiiEnvelope(stored.subject.pii)).toBe(true);
    expect(rows[0].hash).toEqual(hashEvent(GENESIS_HASH, rows[0].eventJson));
  });

  it('should write nothing when the batch has no new events', async () => {
    const { writer, inserted, locked } = fakeChains();

    expect(await writer.append(tx, 0, [], noKeys())).toEqual({ rows: [], heads: new Map() });
    expect(inserted).toEqual([]);
    expect(locked).toEqual([]);
  });
});
