import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Checkpoint } from '@agent-ledger/contracts';
import { GENESIS_HASH, hashEvent, type ArchivedRow, type PurgeCut } from '@agent-ledger/integrity';
import { archiveKeys, BrokenChainError, buildArchive, manifestBytes } from './archive-writer';

const TENANT = '3c9f4b1e-7a2d-4e8f-9b0c-1d2e3f4a5b6c';

function chain(partition: number, n: number): ArchivedRow[] {
  const rows: ArchivedRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= n; seq++) {
    const eventJson = JSON.stringify({ eventId: randomUUID(), seq, partition });
    const hash = hashEvent(prev, eventJson);
    rows.push({
      tenantId: TENANT, partition, chainSeq: String(seq), eventId: randomUUID(), prevHash: prev.toString('hex'), hash: hash.toString('hex'), eventJson, type: 'action.attempted',
      actionId: null, sessionId: null, agentId: null, actorId: null, toolName: null, riskLevel: null, approvalDecision: null, subjectId: null, resourceType: null, resourceId: null,
      occurredAt: '2026-12-01T00:00:00.000Z', receivedAt: '2026-12-01T00:00:00.000Z', kafkaOffset: String(seq), recordedAt: `2026-12-01T00:00:0${seq}.000Z`,
    });
    prev = hash;
  }
  return rows;
}

const cutOf = (rows: ArchivedRow[]): PurgeCut => ({ partition: rows[0].partition, fromSeq: rows[0].chainSeq, toSeq: rows[rows.length - 1].chainSeq, firstHash: rows[0].hash, lastHash: rows[rows.length - 1].hash, events: rows.length });
const checkpoint = { checkpointId: randomUUID(), tenantId: TENANT, createdAt: '2026-12-01T00:01:00.000Z', heads: [], keyId: 'k', signature: 's' } as Checkpoint;
async function* from(rows: ArchivedRow[]) {
  yield* rows;
}

describe(buildArchive.name, () => {
  const p0 = chain(0, 3);
  const p2 = chain(2, 2);
  const purge = { tenantId: TENANT, purgeId: randomUUID(), ordinal: 7, horizon: '2026-12-01T00:02:00.000Z', cuts: [cutOf(p0), cutOf(p2)] };
  const rowsOf = (cut: PurgeCut) => from(cut.partition === 0 ? p0 : p2);

  it('should write every row as a JSON line, chain by chain, with a manifest that describes it', async () => {
    const built = await buildArchive(purge, rowsOf, checkpoint);

    const lines = gunzipSync(built.body).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => `${l.partition}/${l.chainSeq}`)).toEqual(['0/1', '0/2', '0/3', '2/1', '2/2']);
    expect(built.manifest).toMatchObject({
      format: 'agent-ledger.archive.v1', tenantId: TENANT, ordinal: 7, events: 5, bytes: built.body.length,
      object: archiveKeys(TENANT, 7, '2026-12-01T00:00:01.000Z', '2026-12-01T00:00:03.000Z').object,
      recordedFrom: '2026-12-01T00:00:01.000Z', recordedTo: '2026-12-01T00:00:03.000Z', checkpoint,
    });
    expect(built.manifest.chains[0]).toMatchObject({ partition: 0, fromSeq: '1', toSeq: '3', firstPrevHash: GENESIS_HASH.toString('hex') });
    expect(built.manifest.object).toBe(`tenants/${TENANT}/000007_20261201T000001Z_20261201T000003Z.jsonl.gz`);
  });

  it('should give the same bytes for the same rows (a resumed purge rewrites the same object)', async () => {
    const [a, b] = [await buildArchive(purge, rowsOf, checkpoint), await buildArchive(purge, rowsOf, checkpoint)];

    expect(a.body.equals(b.body)).toBe(true);
    expect(manifestBytes(a.manifest).sha256).toBe(manifestBytes(b.manifest).sha256);
  });

  it.each([
    ['a missing row', () => [p0[0], p0[2]]],
    ['an edited row', () => [p0[0], { ...p0[1], eventJson: '{"edited":true}' }, p0[2]]],
    ['rows that end early', () => p0.slice(0, 2)],
    ['a row linked to another', () => [p0[0], { ...p0[1], prevHash: p2[0].hash }, p0[2]]],
  ])('should refuse to archive a chain with %s', async (_what, rows) => {
    await expect(buildArchive({ ...purge, cuts: [cutOf(p0)] }, () => from(rows()), checkpoint)).rejects.toBeInstanceOf(BrokenChainError);
  });
});
