import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalJson } from '@agent-ledger/contracts';
import { deriveColumns, GENESIS_HASH, hashEvent, signCheckpoint, signingKeyId } from '@agent-ledger/integrity';
import { anActionEvent } from '@agent-ledger/testing';
import { ExitCode } from '../errors/cli.error';
import { verifyOffline } from './offline-verifier';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

/** Exported lines of one chain, as GET /v1/integrity/export writes them. */
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

describe(verifyOffline.name, () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const key = { privateKey, publicKey, keyId: signingKeyId(publicKey) };
  let dir: string;
  let rows: Record<string, unknown>[];
  let eventsFile: string;
  let checkpointsFile: string;

  const checkpointLine = (heads: Record<string, unknown>[]) =>
    JSON.stringify(
      signCheckpoint({ checkpointId: randomUUID(), tenantId: TENANT, createdAt: new Date().toISOString(), heads: heads.map((h) => ({ partition: h.partition as number, chainSeq: h.chainSeq as string, hash: h.hash as string })) }, key),
    );

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'offline-verify-'));
    const p0 = exportedChain(0, 4);
    const p2 = exportedChain(2, 3);
    rows = [...p0, ...p2];
    eventsFile = path.join(dir, 'chain.jsonl');
    checkpointsFile = path.join(dir, 'chain.checkpoints.jsonl');
    await writeFile(eventsFile, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await writeFile(checkpointsFile, [checkpointLine([p0[1]]), checkpointLine([p0[3], p2[2]])].join('\n') + '\n');
  });

  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('should report ok with every row and checkpoint checked when the files are as exported', async () => {
    const report = await verifyOffline(eventsFile, checkpointsFile, [publicKey]);
    expect(report).toMatchObject({ ok: true, eventsChecked: 7, checkpointsChecked: 2, failures: [] });
    expect(report.chains.map((c) => [c.partition, c.events])).toEqual([[0, 4], [2, 3]]);
  });

  it('should answer unverified naming the range when rows follow the newest exported checkpoint', async () => {
    await writeFile(checkpointsFile, checkpointLine([rows[1]]) + '\n'); // partition 0 up to chain_seq 2 only

    const report = await verifyOffline(eventsFile, checkpointsFile, [publicKey]);

    expect(report).toMatchObject({ ok: false, status: 'unverified', failures: [] });
    expect(report.uncovered.map((u) => [u.partition, u.fromSeq, u.toSeq])).toEqual([[0, '3', '4'], [2, '1', '3']]);
  });

  it('should report key_outside_validity when the trusted key was retired before the checkpoint was made', async () => {
    const retired = { keyId: key.keyId, publicKey, validUntil: new Date(Date.now() - 86_400_000) };

    const report = await verifyOffline(eventsFile, checkpointsFile, [retired]);

    expect(report).toMatchObject({ status: 'failed', firstFailure: { kind: 'key_outside_validity' } });
  });

  it('should name the file line and row when one event was edited', async () => {
    const lines = (await readFile(eventsFile, 'utf8')).split('\n');
    lines[5] = lines[5].replace('refund_order', 'refund_ordex'); // line 6: partition 2, chain_seq 2
    await writeFile(eventsFile, lines.join('\n'));
    const report = await verifyOffline(eventsFile, checkpointsFile, [publicKey]);
    expect(report.ok).toBe(false);
    expect(report.firstFailure).toMatchObject({ kind: 'hash_mismatch', file: eventsFile, line: 6, partition: 2, chainSeq: '2', eventId: rows[5].eventId });
  });

  it('should report a row that was deleted from the file as a gap at the next line', async () => {
    const lines = (await readFile(eventsFile, 'utf8')).split('\n');
    lines.splice(1, 1);
    await writeFile(eventsFile, lines.join('\n'));
    const report = await verifyOffline(eventsFile, checkpointsFile, [publicKey]);
    expect(report.firstFailure).toMatchObject({ kind: 'sequence_gap', line: 2, partition: 0, chainSeq: '3' });
  });

  it('should report the last rows cut from the file as truncated against the signed checkpoint', async () => {
    const lines = (await readFile(eventsFile, 'utf8')).trim().split('\n');
    await writeFile(eventsFile, lines.slice(0, -1).join('\n'));
    const report = await verifyOffline(eventsFile, checkpointsFile, [publicKey]);
    expect(report.firstFailure).toMatchObject({ kind: 'truncated', partition: 2, chainSeq: '3' });
  });

  it('should name a line that is no stored row when the file was damaged', async () => {
    const lines = (await readFile(eventsFile, 'utf8')).split('\n');
    lines[2] = lines[2].slice(0, 40);
    await writeFile(eventsFile, lines.join('\n'));
    const report = await verifyOffline(eventsFile, checkpointsFile, [publicKey]);
    expect(report.ok).toBe(false);
    expect(report.firstFailure).toMatchObject({ kind: 'malformed_line', file: eventsFile, line: 3 });
  });

  it('should fail on the checkpoints when they are checked with another key', async () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    const report = await verifyOffline(eventsFile, checkpointsFile, [other]);
    expect(report.ok).toBe(false);
    expect(report.firstFailure?.kind).toBe('unknown_checkpoint_key');
  });

  it('should take the derived columns from the event when a line carries only the chain columns', async () => {
    const minimal = rows.map((r) => ({ tenantId: r.tenantId, eventId: r.eventId, partition: r.partition, chainSeq: r.chainSeq, prevHash: r.prevHash, hash: r.hash, eventJson: r.eventJson }));
    await writeFile(eventsFile, minimal.map((r) => JSON.stringify(r)).join('\n'));
    expect((await verifyOffline(eventsFile, checkpointsFile, [publicKey])).ok).toBe(true);
  });

  it('should accept checkpoints in their stored form of payload and signature', async () => {
    const stored = (await readFile(checkpointsFile, 'utf8'))
      .trim()
      .split('\n')
      .map((l) => {
        const { signature, ...unsigned } = JSON.parse(l);
        return JSON.stringify({ payload: canonicalJson(unsigned), signature });
      });
    await writeFile(checkpointsFile, stored.join('\n'));
    expect(await verifyOffline(eventsFile, checkpointsFile, [publicKey])).toMatchObject({ ok: true, checkpointsChecked: 2 });
  });

  it('should fail with the local file code when a file is missing', async () => {
    await expect(verifyOffline(path.join(dir, 'nope.jsonl'), checkpointsFile, [publicKey])).rejects.toMatchObject({ exitCode: ExitCode.LocalFile, message: expect.stringContaining('ENOENT') });
  });
});
