import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { canonicalJson } from '@agent-ledger/contracts';
import { deriveColumns, GENESIS_HASH, hashEvent, signCheckpoint, signingKeyId } from '@agent-ledger/integrity';
import { anActionEvent } from '@agent-ledger/testing';
import type { CliIo } from '../cli.context';
import { verifyOffline } from './offline-verifier';
import { verifyWithWitness } from './witness-verification';

const TENANT = '7a1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

function exportedChain(partition: number, length: number): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const eventJson = canonicalJson(anActionEvent(TENANT, { actionId: `act-${partition}-${seq}` }));
    const hash = hashEvent(prev, eventJson);
    lines.push({ partition, chainSeq: String(seq), prevHash: prev.toString('hex'), hash: hash.toString('hex'), eventJson, ...deriveColumns(JSON.parse(eventJson)) });
    prev = hash;
  }
  return lines;
}

describe(verifyWithWitness.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = { privateKey, publicKey, keyId: signingKeyId(publicKey) };
  const chain = exportedChain(0, 5);
  const checkpointOf = (row: Record<string, unknown>, at: string) =>
    canonicalJson(signCheckpoint({ checkpointId: randomUUID(), tenantId: TENANT, createdAt: at, heads: [{ partition: 0, chainSeq: row.chainSeq as string, hash: row.hash as string }] }, key));
  const early = checkpointOf(chain[1], '2026-01-01T00:00:00.000Z');
  const late = checkpointOf(chain[4], '2026-01-01T00:01:00.000Z');
  let dir: string;
  let witnessDir: string;
  let events: string;
  let serverCheckpoints: string;
  const io = (fetchImpl?: CliIo['fetch']): CliIo => ({ stdout: new PassThrough(), stderr: new PassThrough(), env: {}, fetch: fetchImpl });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'witness-verify-'));
    witnessDir = path.join(dir, 'witness');
    await mkdir(witnessDir);
    await writeFile(path.join(witnessDir, `${TENANT}.jsonl`), `${early}\n${late}\n`);
    // The database after the tail rows (3..5) and the later checkpoint were deleted: consistent on its own.
    events = path.join(dir, 'chain.jsonl');
    await writeFile(events, chain.slice(0, 2).map((r) => JSON.stringify(r)).join('\n') + '\n');
    serverCheckpoints = path.join(dir, 'chain.checkpoints.jsonl');
    await writeFile(serverCheckpoints, `${early}\n`);
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('should pass without the witness but fail with it when the tail rows and later checkpoints were deleted', async () => {
    expect((await verifyOffline(events, serverCheckpoints, [publicKey])).ok).toBe(true);
    const report = await verifyWithWitness({ witness: witnessDir, events, checkpoints: serverCheckpoints, io: io(), publicKeys: [publicKey] });
    expect(report.ok).toBe(false);
    expect(report.witness).toEqual({ source: witnessDir, tenantId: TENANT, checkpoints: 2 });
    expect(report.failures.length).toBeGreaterThan(0);
  });

  it('should pass when the rows are intact and the witness holds the same checkpoints', async () => {
    await writeFile(events, chain.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const report = await verifyWithWitness({ witness: witnessDir, events, io: io(), publicKeys: [publicKey] });
    expect(report).toMatchObject({ ok: true, checkpointsChecked: 2, witness: { tenantId: TENANT, checkpoints: 2 } });
  });

  it('should read the tenant checkpoints from the witness URL when given one', async () => {
    const urls: string[] = [];
    const fetchImpl: CliIo['fetch'] = async (url) => {
      urls.push(url);
      return new Response(`${early}\n${late}\n`, { status: 200, headers: { 'content-type': 'application/x-ndjson' } });
    };
    const report = await verifyWithWitness({ witness: 'http://witness.local:3304/', events, io: io(fetchImpl), publicKeys: [publicKey] });
    expect(urls).toEqual([`http://witness.local:3304/v1/checkpoints/${TENANT}`]);
    expect(report.ok).toBe(false);
  });

  it('should check nothing against the witness when it holds no file of the tenant', async () => {
    await rm(path.join(witnessDir, `${TENANT}.jsonl`));
    const report = await verifyWithWitness({ witness: witnessDir, events, checkpoints: serverCheckpoints, io: io(), publicKeys: [publicKey] });
    expect(report).toMatchObject({ ok: true, witness: { checkpoints: 0 } });
  });

  it('should refuse a witness directory that does not exist', async () => {
    await expect(verifyWithWitness({ witness: path.join(dir, 'nope'), events, io: io(), publicKeys: [publicKey] })).rejects.toThrow(/cannot read/);
  });
});
