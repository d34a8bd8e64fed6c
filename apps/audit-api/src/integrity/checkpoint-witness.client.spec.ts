import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signCheckpoint, signingKeyId } from '@agent-ledger/integrity';
import { CheckpointWitnessClient } from './checkpoint-witness.client';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const checkpoint = signCheckpoint(
  { checkpointId: randomUUID(), tenantId: TENANT, createdAt: '2026-11-22T10:00:00.000Z', heads: [{ partition: 0, chainSeq: '3', hash: 'ab'.repeat(32) }] },
  { privateKey, publicKey, keyId: signingKeyId(publicKey) },
);

describe(CheckpointWitnessClient.name, () => {
  let server: Server;
  let url: string;
  let answer: { status: number; body: string };
  const seen: { path?: string; authorization?: string } = {};

  beforeAll(async () => {
    server = createServer((req, res) => {
      Object.assign(seen, { path: req.url, authorization: req.headers.authorization });
      res.writeHead(answer.status, { 'content-type': 'application/x-ndjson' }).end(answer.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  const client = (settings: Partial<{ witnessUrl: string; witnessToken: string }> = {}) => new CheckpointWitnessClient({ witnessUrl: url, witnessTimeoutMs: 2_000, ...settings });

  it('should read the tenant checkpoints line by line with the bearer token when the witness answers', async () => {
    answer = { status: 200, body: `${JSON.stringify(checkpoint)}\n\n` };

    expect(await client({ witnessToken: 't0ken' }).checkpointsOf(TENANT)).toEqual({ status: 'read', checkpoints: [checkpoint] });
    expect(seen).toEqual({ path: `/v1/checkpoints/${TENANT}`, authorization: 'Bearer t0ken' });
  });

  it('should read no checkpoints when the witness holds none (empty body or 404)', async () => {
    answer = { status: 200, body: '' };
    expect(await client().checkpointsOf(TENANT)).toEqual({ status: 'read', checkpoints: [] });
    answer = { status: 404, body: '{"error":{"code":"unknown_tenant"}}' };
    expect(await client().checkpointsOf(TENANT)).toEqual({ status: 'read', checkpoints: [] });
  });

  it('should answer unavailable with the reason when the witness errs, answers garbage or another tenant', async () => {
    answer = { status: 503, body: '' };
    expect(await client().checkpointsOf(TENANT)).toEqual({ status: 'unavailable', reason: 'the checkpoint witness answered 503' });
    answer = { status: 200, body: `${JSON.stringify(checkpoint)}\n{"cut` };
    expect(await client().checkpointsOf(TENANT)).toEqual({ status: 'unavailable', reason: "line 2 of the checkpoint witness's answer is not JSON" });
    answer = { status: 200, body: JSON.stringify({ ...checkpoint, heads: 'none' }) };
    expect(await client().checkpointsOf(TENANT)).toEqual({ status: 'unavailable', reason: "line 1 of the checkpoint witness's answer is not a checkpoint" });
    answer = { status: 200, body: JSON.stringify(checkpoint) };
    expect(await client().checkpointsOf('0b7c1b52-9a44-4c0e-8a77-3f5d2c1e0a99')).toMatchObject({ status: 'unavailable', reason: expect.stringContaining("another tenant's checkpoint") });
  });

  it('should answer unavailable when nothing listens at the URL, and not_configured without one', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));

    expect(await client({ witnessUrl: `http://127.0.0.1:${port}` }).checkpointsOf(TENANT)).toEqual({ status: 'unavailable', reason: 'the checkpoint witness could not be read (ECONNREFUSED)' });
    expect(await new CheckpointWitnessClient({ witnessTimeoutMs: 1_000 }).checkpointsOf(TENANT)).toEqual({ status: 'not_configured' });
  });
});
