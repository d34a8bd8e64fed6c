import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Checkpoint, CheckpointHead } from '@agent-ledger/contracts';
import { signCheckpoint, signingKeyId } from '@agent-ledger/integrity';
import { CheckpointStore, CONFLICTS_DIR, REFUSED_FILE } from './checkpoint-store';

const pair = generateKeyPairSync('ed25519');
const key = { ...pair, keyId: signingKeyId(pair.publicKey) };
const hash = (c: string) => c.repeat(64);

function checkpoint(tenantId: string, at: string, heads: [number, string, string][]): Checkpoint {
  const h: CheckpointHead[] = heads.map(([partition, chainSeq, c]) => ({ partition, chainSeq, hash: hash(c) }));
  return signCheckpoint({ checkpointId: randomUUID(), tenantId, createdAt: at, heads: h }, key);
}

describe(CheckpointStore.name, () => {
  let dir: string;
  const tenant = randomUUID();
  const lines = async (file: string) => (await readFile(path.join(dir, file), 'utf8')).split('\n').filter(Boolean);

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'witness-store-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function opened(): Promise<CheckpointStore> {
    const store = new CheckpointStore(dir);
    await store.open();
    return store;
  }

  it('should append each checkpoint as one canonical JSON line in its tenant file when stored', async () => {
    const store = await opened();
    const a = checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '3', 'a']]);
    const b = checkpoint(tenant, '2026-01-01T00:00:01.000Z', [[0, '5', 'b'], [1, '1', 'c']]);
    expect(await store.append([a, b])).toEqual([{ outcome: 'stored' }, { outcome: 'stored' }]);
    expect((await lines(`${tenant}.jsonl`)).map((l) => JSON.parse(l))).toEqual([a, b]);
    expect(await store.linesOf(tenant)).toEqual(await lines(`${tenant}.jsonl`));
    expect(store.lastOf(tenant)).toEqual(b);
  });

  it('should not append a checkpoint twice when it is delivered again, also after a restart', async () => {
    const store = await opened();
    const a = checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '3', 'a']]);
    await store.append([a]);
    expect(await store.append([a])).toEqual([{ outcome: 'duplicate' }]);
    const restarted = await opened();
    expect(await restarted.append([a])).toEqual([{ outcome: 'duplicate' }]);
    expect(await lines(`${tenant}.jsonl`)).toHaveLength(1);
  });

  it('should record a rollback apart, and keep the trusted log unchanged, when a later checkpoint signs a lower position', async () => {
    const store = await opened();
    const a = checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '10', 'a']]);
    const rolledBack = checkpoint(tenant, '2026-01-01T00:00:05.000Z', [[0, '7', 'b']]);
    await store.append([a]);
    const [outcome] = await store.append([rolledBack]);
    expect(outcome).toEqual({ outcome: 'conflict', conflicts: [expect.objectContaining({ kind: 'rollback', partition: 0, chainSeq: '7', heldChainSeq: '10' })] });
    expect((await lines(`${tenant}.jsonl`)).map((l) => JSON.parse(l))).toEqual([a]);
    const [conflict] = (await lines(path.join(CONFLICTS_DIR, `${tenant}.jsonl`))).map((l) => JSON.parse(l));
    expect(conflict.checkpoint).toEqual(rolledBack);
    expect(store.tenantsWithConflicts).toBe(1);
    expect(await store.append([rolledBack])).toEqual([{ outcome: 'duplicate' }]);
  });

  it('should flag a rollback when a later checkpoint no longer signs a partition it signed before', async () => {
    const store = await opened();
    await store.append([checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '4', 'a'], [1, '2', 'b']])]);
    const [outcome] = await store.append([checkpoint(tenant, '2026-01-01T00:00:03.000Z', [[0, '4', 'a']])]);
    expect(outcome).toEqual({ outcome: 'conflict', conflicts: [expect.objectContaining({ kind: 'rollback', partition: 1, chainSeq: '0', heldChainSeq: '2' })] });
  });

  it('should not flag a rollback when two checkpoints are closer in time than the clock tolerance (projector instances racing)', async () => {
    const store = await opened();
    await store.append([checkpoint(tenant, '2026-01-01T00:00:00.500Z', [[0, '10', 'a']])]);
    expect(await store.append([checkpoint(tenant, '2026-01-01T00:00:01.000Z', [[0, '9', 'b']])])).toEqual([{ outcome: 'stored' }]);
  });

  it('should flag a fork when a checkpoint signs another hash at a position already signed', async () => {
    const store = await opened();
    await store.append([checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '4', 'a']])]);
    const [outcome] = await store.append([checkpoint(tenant, '2026-01-01T00:00:01.000Z', [[0, '4', 'f']])]);
    expect(outcome).toEqual({ outcome: 'conflict', conflicts: [expect.objectContaining({ kind: 'fork', partition: 0, chainSeq: '4', hash: hash('f'), heldHash: hash('a') })] });
  });

  it('should store an earlier checkpoint that arrives late when it agrees with the held ones, and serve it first', async () => {
    const store = await opened();
    const later = checkpoint(tenant, '2026-01-01T00:00:05.000Z', [[0, '9', 'b']]);
    const earlier = checkpoint(tenant, '2026-01-01T00:00:01.000Z', [[0, '6', 'a']]);
    expect(await store.append([later, earlier])).toEqual([{ outcome: 'stored' }, { outcome: 'stored' }]);
    expect((await store.linesOf(tenant)).map((l) => JSON.parse(l).checkpointId)).toEqual([earlier.checkpointId, later.checkpointId]);
    expect(store.lastOf(tenant)).toEqual(later);
  });

  it('should detect a rollback against what was stored before a restart when the index is rebuilt from the files', async () => {
    await (await opened()).append([checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '10', 'a']])]);
    const restarted = await opened();
    expect(restarted.tenantCount).toBe(1);
    const [outcome] = await restarted.append([checkpoint(tenant, '2026-01-01T00:00:09.000Z', [[0, '2', 'c']])]);
    expect(outcome.outcome).toBe('conflict');
    expect(restarted.tenantsWithConflicts).toBe(1);
    expect((await opened()).tenantsWithConflicts).toBe(1);
  });

  it('should cut a torn last line at open when a crash interrupted a write, and append after it', async () => {
    const store = await opened();
    const a = checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '1', 'a']]);
    await store.append([a]);
    await appendFile(path.join(dir, `${tenant}.jsonl`), '{"checkpointId":"torn');
    const restarted = await opened();
    const b = checkpoint(tenant, '2026-01-01T00:00:01.000Z', [[0, '2', 'b']]);
    await restarted.append([b]);
    expect((await lines(`${tenant}.jsonl`)).map((l) => JSON.parse(l))).toEqual([a, b]);
  });

  it('should keep refused messages in the refused log and not in any tenant file when they are appended', async () => {
    const store = await opened();
    const forged = { ...checkpoint(tenant, '2026-01-01T00:00:00.000Z', [[0, '1', 'a']]), signature: Buffer.alloc(64).toString('base64') };
    await store.append([], [{ receivedAt: '2026-01-01T00:00:00.000Z', code: 'bad_signature', reason: 'bad_signature', topic: 't', partition: 0, offset: '7', tenantId: tenant, checkpoint: forged }]);
    expect(JSON.parse((await lines(REFUSED_FILE))[0])).toEqual(expect.objectContaining({ code: 'bad_signature', checkpoint: forged }));
    expect(await store.linesOf(tenant)).toEqual([]);
  });

  it('should answer no lines when the tenant has no checkpoint', async () => {
    expect(await (await opened()).linesOf(randomUUID())).toEqual([]);
  });
});
