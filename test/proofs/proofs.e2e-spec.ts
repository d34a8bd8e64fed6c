import { createHash, randomUUID } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { leafHash, loadPublicKey, rootOfLeafHashes, verifyCheckpointSignature, verifyConsistency } from '@agent-ledger/integrity';
import { anActionEventInput, expectResponseMatchesOpenApi, LedgerSystem, waitFor, type OpenApiDocument, type TestTenant } from '@agent-ledger/testing';
import { sigstoreAcceptsHex } from './consistency-verifiers';
import { signedTreeSize as signedTreeHeadSize } from './signed-tree-heads';

interface InclusionAnswer {
  eventId: string;
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  leafHash: string;
  hashes: string[];
  event: { partition: number; chainSeq: string; prevHash: string; hash: string; eventJson: string } | null;
  treeHead: (Checkpoint & { tree: { size: string; rootHash: string } }) | null;
}


/** The leaf data a verifier derives from the event as stored: SHA-256(prevHash ‖ eventJson). */
const rowHash = (prevHashHex: string, eventJson: string) => createHash('sha256').update(Buffer.from(prevHashHex, 'hex')).update(eventJson, 'utf8').digest();

/** Proof endpoints over a projector-maintained tree: signed tree heads in the checkpoints, proofs checked independently. */
describe('proofs: GET /v1/proofs/inclusion, /consistency and /tree-head', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  let tenant: TestTenant;
  let other: TestTenant;
  const eventIds: string[] = [];

  const post = async (t: TestTenant, n: number) => {
    const events = Array.from({ length: n }, () => anActionEventInput({ eventId: randomUUID(), sessionId: `s-${randomUUID().slice(0, 8)}` }));
    expect((await system.postEvents(t.apiKeys.ingest, { events })).status).toBe(202);
    return events.map((e) => e.eventId as string);
  };
  const signedTreeSize = (min: number) => signedTreeHeadSize(system, tenant.tenantId, min);
  let firstSize = 0;
  let served: OpenApiDocument;
  /** GET on audit-api, the answer checked against the OpenAPI document it serves. */
  const get = async <T>(path: string, key = tenant.apiKeys.read) => {
    const answer = await system.api<T>('GET', path, key);
    expectResponseMatchesOpenApi(served, 'GET', path, answer.status, answer.body, answer.headers.get('content-type') ?? undefined);
    return answer;
  };
  const inclusion = (query: string, key = tenant.apiKeys.read) => get<InclusionAnswer>(`/v1/proofs/inclusion?${query}`, key);
  /** An event of the tenant past the tree's first two leaves, with its leaf index. */
  const laterLeaf = async () => {
    const { rows } = await system.db.query<{ event_id: string; leaf_index: string }>(
      `SELECT event_id::text, leaf_index::text FROM merkle_leaves WHERE tenant_id = $1 AND event_id = ANY($2::uuid[]) AND leaf_index >= 2 ORDER BY leaf_index LIMIT 1`,
      [tenant.tenantId, eventIds],
    );
    return { eventId: rows[0].event_id, leafIndex: Number(rows[0].leaf_index) };
  };
  /** Every leaf hash of the tenant in leaf order, from the stored rows: the brute-force reference. */
  const referenceLeaves = async () =>
    (
      await system.db.query(
        `SELECT e.hash FROM merkle_leaves l JOIN audit_events e ON e.tenant_id = l.tenant_id AND e.kafka_partition = l.kafka_partition AND e.chain_seq = l.chain_seq
          WHERE l.tenant_id = $1 ORDER BY l.leaf_index`,
        [tenant.tenantId],
      )
    ).rows.map((r: { hash: Buffer }) => leafHash(r.hash));

  beforeAll(async () => {
    await system.start();
    served = (await (await fetch(`${system.url('audit-api')}/docs-json`)).json()) as OpenApiDocument;
    tenant = await system.createTenant(`proofs-${system.suffix}`);
    other = await system.createTenant(`proofs-other-${system.suffix}`);
    eventIds.push(...(await post(tenant, 20)), ...(await post(tenant, 17)));
    await post(other, 3);
    await system.waitForStored(tenant.tenantId, 37);
    firstSize = await signedTreeSize(37);
  });

  afterAll(() => system.stop());

  it('proves an event against the signed tree head, checked by sigstore; a modified event or a wrong tree size fails', async () => {
    const res = await inclusion(`eventId=${eventIds[5]}`);
    expect(res.status).toBe(200);
    const p = res.body;
    expect(p.treeSize).toBeGreaterThanOrEqual(firstSize);
    expect(p.treeHead?.tree).toEqual({ size: String(p.treeSize), rootHash: p.rootHash });
    expect(verifyCheckpointSignature(p.treeHead!, loadPublicKey(system.publicKeyBase64))).toBe(true);
    const data = rowHash(p.event!.prevHash, p.event!.eventJson);
    expect(data.toString('hex')).toBe(p.event!.hash);
    expect(JSON.parse(p.event!.eventJson).eventId).toBe(eventIds[5]);
    expect(sigstoreAcceptsHex(data, p.leafIndex, p.treeSize, p.hashes, p.treeHead!.tree.rootHash)).toBe(true);

    const tampered = p.event!.eventJson.replace(eventIds[5], randomUUID());
    expect(sigstoreAcceptsHex(rowHash(p.event!.prevHash, tampered), p.leafIndex, p.treeSize, p.hashes, p.treeHead!.tree.rootHash)).toBe(false);
    const smaller = await inclusion(`eventId=${eventIds[5]}&treeSize=${p.leafIndex + 1}`);
    expect(smaller.status).toBe(200);
    expect(smaller.body.rootHash).not.toBe(p.rootHash);
    expect(sigstoreAcceptsHex(data, p.leafIndex, p.treeSize, smaller.body.hashes, p.treeHead!.tree.rootHash)).toBe(false);
    expect(sigstoreAcceptsHex(data, p.leafIndex, p.leafIndex + 1, smaller.body.hashes, smaller.body.rootHash)).toBe(true);
  });

  it('proves the log only grew between two signed tree heads (checked against roots recomputed from every stored row), and rejects a fork', async () => {
    eventIds.push(...(await post(tenant, 9)));
    const secondSize = await signedTreeSize(firstSize + 9);
    const res = await get<{ from: number; to: number; fromRootHash: string; toRootHash: string; hashes: string[]; fromTreeHead: Checkpoint | null; toTreeHead: Checkpoint | null }>(
      `/v1/proofs/consistency?from=${firstSize}&to=${secondSize}`,
    );
    expect(res.status).toBe(200);
    const c = res.body;
    const leaves = (await referenceLeaves()).slice(0, secondSize);
    expect(leaves.length).toBe(secondSize);
    expect(c.fromRootHash).toBe(rootOfLeafHashes(leaves.slice(0, firstSize)).toString('hex'));
    expect(c.toRootHash).toBe(rootOfLeafHashes(leaves).toString('hex'));
    expect([c.fromTreeHead?.tree?.rootHash, c.toTreeHead?.tree?.rootHash]).toEqual([c.fromRootHash, c.toRootHash]);
    const hashes = c.hashes.map((h) => Buffer.from(h, 'hex'));
    expect(verifyConsistency(firstSize, secondSize, Buffer.from(c.fromRootHash, 'hex'), Buffer.from(c.toRootHash, 'hex'), hashes)).toBe(true);
    const forked = [...leaves.slice(0, firstSize)];
    forked[3] = leafHash(Buffer.from('another history'));
    expect(verifyConsistency(firstSize, secondSize, rootOfLeafHashes(forked), Buffer.from(c.toRootHash, 'hex'), hashes)).toBe(false);
  });

  it('answers the tree as it is now and its newest signed tree head, which verifies and is a prefix of it', async () => {
    const res = await get<{ treeSize: number; rootHash: string; signedTreeHead: Checkpoint | null }>('/v1/proofs/tree-head');
    expect(res.status).toBe(200);
    const h = res.body;
    const leaves = await referenceLeaves();
    expect(h.treeSize).toBeGreaterThanOrEqual(firstSize);
    expect(h.rootHash).toBe(rootOfLeafHashes(leaves.slice(0, h.treeSize)).toString('hex'));
    const signed = h.signedTreeHead!;
    expect(verifyCheckpointSignature(signed, loadPublicKey(system.publicKeyBase64))).toBe(true);
    const signedSize = Number(signed.tree!.size);
    expect(signedSize).toBeGreaterThanOrEqual(firstSize);
    expect(signedSize).toBeLessThanOrEqual(h.treeSize);
    expect(signed.tree!.rootHash).toBe(rootOfLeafHashes(leaves.slice(0, signedSize)).toString('hex'));
  });

  it.each([
    ['eventId=not-a-uuid', 400, 'eventId'],
    ['treeSize=3', 400, 'eventId'],
    [`eventId=${randomUUID()}`, 404, 'eventId'],
    ['eventId=EVENT&treeSize=100000', 400, 'treeSize'],
    ['eventId=EVENT&treeSize=0', 400, 'treeSize'],
    // A tree that ends before the event's leaf (the leaf order is the projector's, not the posting order).
    ['eventId=EVENT&treeSize=LEAF', 400, 'treeSize'],
    ['eventId=EVENT&extra=1', 400, 'extra'],
  ])('inclusion %s → %d naming %s', async (query, status, field) => {
    const leaf = await laterLeaf();
    const res = await inclusion(query.replace('EVENT', leaf.eventId).replace('LEAF', String(leaf.leafIndex)));
    expect(res.status).toBe(status);
    expect((res.body as unknown as { error: { field?: string } }).error.field).toBe(field);
  });

  it.each([
    ['from=5&to=3', 400, 'from'],
    ['from=0', 400, 'from'],
    ['to=3', 400, 'from'],
    ['from=1&to=100000', 400, 'to'],
  ])('consistency %s → %d naming %s', async (query, status, field) => {
    const res = await get(`/v1/proofs/consistency?${query}`);
    expect(res.status).toBe(status);
    expect((res.body as unknown as { error: { field?: string } }).error.field).toBe(field);
  });

  it("proves an erased subject's event as before: the leaf commits to the stored ciphertext, never to clear PII", async () => {
    const event = anActionEventInput({ eventId: randomUUID(), sessionId: `s-${randomUUID().slice(0, 8)}`, subject: { id: `cus-${system.suffix}`, pii: { email: 'erase-me@example.com' } } } as never);
    expect((await system.postEvents(tenant.apiKeys.ingest, { events: [event] })).status).toBe(202);
    await waitFor(async () => (await system.db.query(`SELECT 1 FROM merkle_leaves WHERE tenant_id = $1 AND event_id = $2`, [tenant.tenantId, event.eventId])).rowCount === 1, { what: 'the event in the tree' });
    const size = await signedTreeSize(1);
    const before = await inclusion(`eventId=${event.eventId}&treeSize=${size}`);
    expect(before.status).toBe(200);
    expect(before.body.event!.eventJson).not.toContain('erase-me@example.com');
    expect((await system.api('POST', `/v1/subjects/${encodeURIComponent(`cus-${system.suffix}`)}/erase`, tenant.apiKeys.admin, {})).status).toBe(200);
    const after = await inclusion(`eventId=${event.eventId}&treeSize=${size}`);
    expect(after.status).toBe(200);
    expect(after.body.event).toEqual(before.body.event);
    const p = after.body;
    expect(p.treeHead?.tree.size).toBe(String(size));
    expect(sigstoreAcceptsHex(rowHash(p.event!.prevHash, p.event!.eventJson), p.leafIndex, p.treeSize, p.hashes, p.treeHead!.tree.rootHash)).toBe(true);
  });

  it("never answers for another tenant's event", async () => {
    expect((await inclusion(`eventId=${eventIds[0]}`, other.apiKeys.read)).status).toBe(404);
  });
});
