import { canonicalJson, type Checkpoint } from '@agent-ledger/contracts';
import { deriveColumns, GENESIS_HASH, hashEvent, type StoredRow } from '@agent-ledger/integrity';
import { anActionEvent } from '@agent-ledger/testing';
import { IntegrityExportService } from './integrity-export.service';
import type { IntegrityRepository } from './integrity.repository';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

function storedRows(n: number): StoredRow[] {
  let prev = GENESIS_HASH;
  return Array.from({ length: n }, (_, i) => {
    const eventJson = canonicalJson(anActionEvent(TENANT, { actionId: `act-${i}` }));
    const d = deriveColumns(JSON.parse(eventJson));
    const row: StoredRow = { ...d, partition: 1, chainSeq: String(i + 1), prevHash: prev, hash: hashEvent(prev, eventJson), eventJson, occurredAt: new Date(d.occurredAt), receivedAt: new Date(d.receivedAt) };
    prev = row.hash;
    return row;
  });
}

async function text(lines: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of lines) out += chunk;
  return out;
}

describe(IntegrityExportService.name, () => {
  const rows = storedRows(300);
  const checkpoint: Checkpoint = { checkpointId: 'c', tenantId: TENANT, createdAt: '2026-03-01T00:00:00.000Z', heads: [{ partition: 1, chainSeq: '300', hash: 'ab'.repeat(32) }], keyId: 'k', signature: 'c2ln' };
  const reader = {
    async *rows() {
      yield* rows;
    },
    async *checkpoints() {
      yield checkpoint;
    },
  };
  const repository = { reader: () => reader } as unknown as IntegrityRepository;
  const service = new IntegrityExportService(repository);

  it('should write one JSON line per stored row with hex hashes, RFC 3339 times and the event text unchanged', async () => {
    const lines = (await text(service.chainLines(TENANT))).trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(300);
    expect(lines[1]).toEqual({
      ...deriveColumns(JSON.parse(rows[1].eventJson)),
      partition: 1,
      chainSeq: '2',
      prevHash: rows[0].hash.toString('hex'),
      hash: rows[1].hash.toString('hex'),
      eventJson: rows[1].eventJson,
    });
    // The chain recomputes from the exported text alone.
    expect(hashEvent(Buffer.from(lines[1].prevHash, 'hex'), lines[1].eventJson).toString('hex')).toBe(lines[1].hash);
  });

  it('should write the checkpoints as they are signed, one per line', async () => {
    expect(await text(service.checkpointLines(TENANT))).toBe(JSON.stringify(checkpoint) + '\n');
  });
});
