import { randomUUID } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { leafHash, loadPublicKey, rootOfLeafHashes, verifyCheckpointSignature } from '@agent-ledger/integrity';
import { MERKLE_BACKFILL_FILL_SQL } from '@agent-ledger/persistence';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { sigstoreAcceptsHex } from './consistency-verifiers';

interface InclusionAnswer {
  leafIndex: number;
  treeSize: number;
  hashes: string[];
  event: { hash: string } | null;
  treeHead: (Checkpoint & { tree: { size: string; rootHash: string } }) | null;
}


/**
 * An upgrade: events stored while the tree did not exist (their leaves, tiles, tree and signed tree
 * heads removed as the owner), migration 2430's fill, then the projector started again — it appends
 * them at startup and signs a tree head over them; audit-api proves one of them.
 */
describe('Merkle backfill through the projector: events stored before the tree become provable', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  let tenant: TestTenant;
  const eventIds: string[] = [];
  let stored = 0;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`merkle-backfill-${system.suffix}`);
    for (let i = 0; i < 3; i++) {
      const events = Array.from({ length: 15 }, () => anActionEventInput({ eventId: randomUUID(), sessionId: `s-${randomUUID().slice(0, 8)}` }));
      expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
      eventIds.push(...events.map((e) => e.eventId as string));
    }
    await system.waitForStored(tenant.tenantId, 45);
    await system.waitForCheckpointAtHeads(tenant.tenantId);

    // The state before the tree: rows and chain checkpoints only (the owner, triggers off for this transaction).
    await system.db.query('BEGIN');
    await system.db.query(`SET LOCAL session_replication_role = replica`);
    for (const table of ['checkpoints', 'merkle_leaves', 'merkle_tiles', 'merkle_trees']) await system.db.query(`DELETE FROM ${table} WHERE tenant_id = $1`, [tenant.tenantId]);
    await system.db.query('COMMIT');
    await system.db.query(MERKLE_BACKFILL_FILL_SQL, [[tenant.tenantId]]);
    const ranges = await system.db.query(`SELECT count(*)::int AS n FROM merkle_backfill WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(ranges.rows[0].n).toBeGreaterThan(0);

    await system.restart('audit-projector');
    await waitFor(
      async () => {
        const { rows } = await system.db.query(
          `SELECT (SELECT count(*)::int FROM audit_events WHERE tenant_id = $1) AS stored,
                  (SELECT count(*)::int FROM merkle_backfill WHERE tenant_id = $1) AS ranges,
                  (SELECT count(*)::int FROM checkpoints c JOIN merkle_trees m ON m.tenant_id = c.tenant_id AND m.tree_size = c.tree_size
                    WHERE c.tenant_id = $1) AS signed,
                  (SELECT tree_size::int FROM merkle_trees WHERE tenant_id = $1) AS size`,
          [tenant.tenantId],
        );
        stored = rows[0].stored;
        return rows[0].ranges === 0 && rows[0].size === stored && rows[0].signed > 0;
      },
      { timeoutMs: 30_000, what: 'every stored event in the tree under a signed tree head' },
    );
  }, 120_000);

  afterAll(() => system.stop());

  it('should give every stored event one leaf, at indexes 0…n-1, under the root recomputed from the rows', async () => {
    const { rows } = await system.db.query(
      `SELECT l.leaf_index::int AS leaf_index, e.hash FROM merkle_leaves l
         JOIN audit_events e ON e.tenant_id = l.tenant_id AND e.kafka_partition = l.kafka_partition AND e.chain_seq = l.chain_seq
        WHERE l.tenant_id = $1 ORDER BY l.leaf_index`,
      [tenant.tenantId],
    );
    expect(rows.map((r: { leaf_index: number }) => r.leaf_index)).toEqual(Array.from({ length: stored }, (_, i) => i));
    const { rows: trees } = await system.db.query(`SELECT root_hash FROM merkle_trees WHERE tenant_id = $1`, [tenant.tenantId]);
    expect(trees[0].root_hash.equals(rootOfLeafHashes(rows.map((r: { hash: Buffer }) => leafHash(r.hash))))).toBe(true);
  });

  it('should prove a backfilled event against a signed tree head, checked by sigstore', async () => {
    for (const eventId of [eventIds[0], eventIds[eventIds.length - 1]]) {
      const res = await system.api<InclusionAnswer>('GET', `/v1/proofs/inclusion?eventId=${eventId}`, tenant.apiKeys.read);
      expect(res.status).toBe(200);
      const p = res.body;
      expect(p.treeHead?.tree.size).toBe(String(stored));
      expect(verifyCheckpointSignature(p.treeHead!, loadPublicKey(system.publicKeyBase64))).toBe(true);
      const data = Buffer.from(p.event!.hash, 'hex');
      expect(sigstoreAcceptsHex(data, p.leafIndex, p.treeSize, p.hashes, p.treeHead!.tree.rootHash)).toBe(true);
      const modified = Buffer.from(data);
      modified[0] ^= 1;
      expect(sigstoreAcceptsHex(modified, p.leafIndex, p.treeSize, p.hashes, p.treeHead!.tree.rootHash)).toBe(false);
    }
  });

  it("should count the backfilled leaves in the projector's metrics and show nothing left", async () => {
    let text = '';
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
    await waitFor(
      async () => {
        text = await (await fetch(`${system.url('audit-projector')}/metrics`)).text();
        return value('ledger_merkle_backfill_pending') === 0;
      },
      { timeoutMs: 10_000, what: 'ledger_merkle_backfill_pending 0' },
    );
    expect(value('ledger_merkle_backfill_leaves_total')).toBeGreaterThanOrEqual(45);
  });
});
