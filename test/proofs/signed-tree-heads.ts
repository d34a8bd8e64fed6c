import { LedgerSystem, waitFor } from '@agent-ledger/testing';

/**
 * Waits until a checkpoint signs the tenant's whole current tree, of at least `min` leaves (the
 * tenant's own change records — its API keys — are events too); returns that size.
 */
export async function signedTreeSize(system: LedgerSystem, tenantId: string, min: number, timeoutMs = 30_000): Promise<number> {
  let size = 0;
  await waitFor(
    async () => {
      const { rows } = await system.db.query(
        `SELECT m.tree_size::int AS size FROM merkle_trees m WHERE m.tenant_id = $1 AND m.tree_size >= $2
            AND EXISTS (SELECT 1 FROM checkpoints c WHERE c.tenant_id = m.tenant_id AND c.tree_size = m.tree_size)`,
        [tenantId, min],
      );
      size = rows[0]?.size ?? 0;
      return size > 0;
    },
    { timeoutMs, what: `a signed tree head over at least ${min} leaves` },
  );
  return size;
}
