import { Injectable } from '@nestjs/common';
import { consistencyFromTiles, EMPTY_ROOT, inclusionFromTiles } from '@agent-ledger/integrity';
import { ApiError } from '@agent-ledger/runtime';
import type { Checkpoint } from '@agent-ledger/contracts';
import type { ConsistencyQuery, InclusionQuery } from './proofs.dto';
import { ProofsRepository } from './proofs.repository';

const hex = (b: Buffer) => b.toString('hex');

/** GET /v1/proofs/inclusion (schema: proofs.responses.ts). */
export interface InclusionAnswer {
  eventId: string;
  leafIndex: number;
  treeSize: number;
  rootHash: string;
  leafHash: string;
  hashes: string[];
  event: { partition: number; chainSeq: string; prevHash: string; hash: string; eventJson: string } | null;
  treeHead: Checkpoint | null;
}

/** GET /v1/proofs/consistency (schema: proofs.responses.ts). */
export interface ConsistencyAnswer {
  from: number;
  to: number;
  fromRootHash: string;
  toRootHash: string;
  hashes: string[];
  fromTreeHead: Checkpoint | null;
  toTreeHead: Checkpoint | null;
}

/** GET /v1/proofs/tree-head (schema: proofs.responses.ts). */
export interface TreeHeadAnswer {
  treeSize: number;
  rootHash: string;
  signedTreeHead: Checkpoint | null;
}

/** Inclusion and consistency proofs of the tenant's Merkle tree (docs/proofs.md). */
@Injectable()
export class ProofsService {
  constructor(private readonly repository: ProofsRepository) {}

  /**
   * The inclusion proof of an event: in the tree of `treeSize` leaves, or by default in the newest
   * signed tree head that contains it (the current tree when none does yet).
   */
  inclusion(tenantId: string, q: InclusionQuery): Promise<InclusionAnswer> {
    return this.repository.inSnapshot(tenantId, async (tree) => {
      const leaf = await tree.leaf(q.eventId);
      if (!leaf) throw ApiError.notFound('event_not_in_tree', `no event ${q.eventId} in the tenant's Merkle tree`, 'eventId');
      const current = await tree.size();
      let treeSize = q.treeSize;
      if (treeSize !== undefined) {
        if (treeSize > current) throw ApiError.badRequest('tree_size_beyond_tree', `treeSize ${treeSize} is beyond the tree (${current} leaves)`, 'treeSize');
        if (treeSize <= leaf.leafIndex) throw ApiError.badRequest('tree_size_before_event', `the event is leaf ${leaf.leafIndex}: treeSize must be at least ${leaf.leafIndex + 1}`, 'treeSize');
      } else {
        const newest = await tree.newestTreeHead();
        const signed = newest?.tree ? Number(newest.tree.size) : 0;
        treeSize = signed > leaf.leafIndex && signed <= current ? signed : current;
      }
      const [{ proof, root, leaf: leafHash }, row, treeHead] = await Promise.all([
        inclusionFromTiles(leaf.leafIndex, treeSize, tree.tiles),
        tree.eventRow(leaf),
        tree.treeHeadOfSize(treeSize),
      ]);
      return {
        eventId: q.eventId,
        leafIndex: leaf.leafIndex,
        treeSize,
        rootHash: hex(root),
        leafHash: hex(leafHash),
        hashes: proof.map(hex),
        event: row ? { partition: leaf.partition, chainSeq: leaf.chainSeq, prevHash: hex(row.prevHash), hash: hex(row.hash), eventJson: row.eventJson } : null,
        treeHead: treeHead ?? null,
      };
    });
  }

  /**
   * The tree as it is now (size and root, not yet signed when the newest checkpoint is older) and the
   * newest signed tree head: what a monitor polls, and the sizes proofs can be asked against.
   */
  treeHead(tenantId: string): Promise<TreeHeadAnswer> {
    return this.repository.inSnapshot(tenantId, async (tree) => {
      const [head, signed] = await Promise.all([tree.head(), tree.newestTreeHead()]);
      return { treeSize: head.size, rootHash: hex(head.root ?? EMPTY_ROOT), signedTreeHead: signed ?? null };
    });
  }

  /** The consistency proof between tree sizes `from` and `to` (default: the current tree). */
  consistency(tenantId: string, q: ConsistencyQuery): Promise<ConsistencyAnswer> {
    return this.repository.inSnapshot(tenantId, async (tree) => {
      const current = await tree.size();
      const to = q.to ?? current;
      if (to > current) throw ApiError.badRequest('tree_size_beyond_tree', `to ${to} is beyond the tree (${current} leaves)`, 'to');
      if (q.from > to) throw ApiError.badRequest('tree_size_beyond_tree', `from ${q.from} is beyond the tree (${current} leaves)`, 'from');
      const [{ proof, firstRoot, secondRoot }, fromHead, toHead] = await Promise.all([
        consistencyFromTiles(q.from, to, tree.tiles),
        tree.treeHeadOfSize(q.from),
        tree.treeHeadOfSize(to),
      ]);
      return {
        from: q.from,
        to,
        fromRootHash: hex(firstRoot),
        toRootHash: hex(secondRoot),
        hashes: proof.map(hex),
        fromTreeHead: fromHead ?? null,
        toTreeHead: toHead ?? null,
      };
    });
  }
}
