import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { canonicalJson, type Checkpoint } from '@agent-ledger/contracts';
import { deriveColumns, GENESIS_HASH, hashEvent, purgeAnchorsOf, retentionPurgedEvent, signCheckpoint, verifyChains, type SigningKey, type StoredRow } from './index';
import { signingKeyId } from './signing';

const TENANT = '0b6a4f2e-1c3d-4e5f-8a9b-0c1d2e3f4a5b';

function signingKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: signingKeyId(publicKey) };
}

function rowFor(event: Record<string, unknown>, partition: number, chainSeq: number, prevHash: Buffer): StoredRow {
  const eventJson = canonicalJson(event);
  const d = deriveColumns(event);
  return { ...d, partition, chainSeq: BigInt(chainSeq), prevHash, hash: hashEvent(prevHash, eventJson), eventJson, occurredAt: new Date(d.occurredAt), receivedAt: new Date(d.receivedAt) };
}

function chain(partition: number, length: number): StoredRow[] {
  const rows: StoredRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const event = { eventId: randomUUID(), tenantId: TENANT, type: 'action.attempted', actionId: `act-${partition}-${seq}`, occurredAt: '2026-11-22T10:00:00.123Z', receivedAt: '2026-11-22T10:00:01Z' };
    const row = rowFor(event, partition, seq, prev);
    rows.push(row);
    prev = row.hash;
  }
  return rows;
}

const head = (row: StoredRow) => ({ partition: row.partition, chainSeq: String(row.chainSeq), hash: row.hash.toString('hex') });
const checkpoint = (key: SigningKey, rows: StoredRow[], createdAt: string): Checkpoint => signCheckpoint({ checkpointId: randomUUID(), tenantId: TENANT, createdAt, heads: rows.map(head) }, key);
const anchor = (row: StoredRow) => ({ tenantId: TENANT, partition: row.partition, chainSeq: String(row.chainSeq), hash: row.hash.toString('hex') });

describe('verification across a purge', () => {
  const key = signingKey();
  const rows = chain(0, 10);
  const early = checkpoint(key, [rows[5]], '2026-11-22T10:00:00.000Z'); // signs chain_seq 6
  const late = checkpoint(key, [rows[9]], '2026-11-22T10:05:00.000Z'); // signs chain_seq 10
  const heads = [{ tenantId: TENANT, partition: 0, chainSeq: '10', hash: rows[9].hash }];

  it('should be ok when the purged prefix ends at a signed, anchored position', async () => {
    const report = await verifyChains(rows.slice(6), [early, late], key.publicKey, { purged: [anchor(rows[5])], heads });

    expect(report).toMatchObject({ status: 'ok', eventsChecked: 4, failures: [] });
    expect(report.chains[0]).toMatchObject({ fromSeq: '7', toSeq: '10' });
  });

  it('should be ok while the purge is pending and the anchored rows are still there', async () => {
    const report = await verifyChains(rows, [early, late], key.publicKey, { purged: [anchor(rows[5])], heads });

    expect(report.status).toBe('ok');
  });

  it('should fail with a sequence gap when a prefix is missing without a record', async () => {
    const report = await verifyChains(rows.slice(6), [early, late], key.publicKey, { heads });

    expect(report.firstFailure).toMatchObject({ kind: 'sequence_gap', chainSeq: '7' });
  });

  it('should fail when the rows were cut before the anchor', async () => {
    const report = await verifyChains(rows.slice(7), [early, late], key.publicKey, { purged: [anchor(rows[5])], heads });

    expect(report.firstFailure).toMatchObject({ kind: 'sequence_gap', chainSeq: '8' });
  });

  it('should refuse an anchor no checkpoint signed', async () => {
    const report = await verifyChains(rows.slice(4), [early, late], key.publicKey, { purged: [anchor(rows[3])], heads });

    expect(report.failures.map((f) => f.kind)).toContain('purge_anchor_unsigned');
    expect(report.status).toBe('failed');
  });

  it('should refuse an anchor whose hash the checkpoint did not sign', async () => {
    const forged = { ...anchor(rows[5]), hash: rows[4].hash.toString('hex') };
    const report = await verifyChains(rows.slice(6), [early, late], key.publicKey, { purged: [forged], heads });

    expect(report.failures.map((f) => f.kind)).toContain('checkpoint_mismatch');
  });

  it('should accept a chain purged whole, its head at the anchor, and not call it truncated', async () => {
    const fullHeads = [{ tenantId: TENANT, partition: 0, chainSeq: '10', hash: rows[9].hash }];
    const report = await verifyChains([], [early, late], key.publicKey, { purged: [anchor(rows[9])], heads: fullHeads });

    expect(report.failures).toEqual([]);
    expect(report.status).toBe('ok');
  });

  it('should read the anchors of a retention.purged record and nothing from other events', () => {
    const details = { purgeId: randomUUID(), ordinal: 1, horizon: '2026-11-22T10:01:00.000Z', checkpointId: early.checkpointId, events: 6, recordedFrom: null, recordedTo: null, archive: null, cuts: [], anchors: [{ partition: 0, chainSeq: '6', hash: rows[5].hash.toString('hex') }, { partition: 1, chainSeq: 'x', hash: 'nope' }] };
    const record = retentionPurgedEvent(TENANT, randomUUID(), details);

    expect(purgeAnchorsOf(canonicalJson(record))).toEqual([anchor(rows[5])]);
    expect(purgeAnchorsOf(rows[0].eventJson)).toEqual([]);
    expect(purgeAnchorsOf('not json')).toEqual([]);
  });
});
