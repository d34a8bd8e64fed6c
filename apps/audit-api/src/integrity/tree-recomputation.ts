import { EMPTY_ROOT, HASH_BYTES, nodeHash, TILE_HEIGHT, TILE_WIDTH, type Tile, type VerificationFailure } from '@agent-ledger/integrity';

/** A signed tree head to check: the size and root a checkpoint signed. */
export interface TreeHeadClaim {
  checkpointId: string;
  size: number;
  rootHash: Buffer;
}

/** The stored tiles of one tenant's tree. */
export interface TileSource {
  /** The level-0 tiles with an index below `count`, in index order (missing ones are skipped). */
  leafTiles(count: number): AsyncIterable<Tile>;
  /** One tile above level 0 (undefined when it is not stored). */
  tile(level: number, index: number): Promise<Buffer | undefined>;
}

export interface Recomputation {
  /** The root recomputed from the level-0 tiles; undefined when a level-0 tile is missing or short. */
  root?: Buffer;
  treeHeadsChecked: number;
}

type Fail = (f: VerificationFailure) => void;

/**
 * Recomputes a tree of `size` leaves from its level-0 tiles (the leaf hashes), never trusting the
 * tiles above: the leaves are folded left to right into a compact range (one complete subtree per
 * set bit of the count, memory O(log n) plus the tile being read). Every complete subtree of
 * height 8·L is compared with the hash tile level L stores for it (`merkle_tile_mismatch`), the root
 * at each signed tree head's size with the root it signed (`tree_head_root_mismatch`).
 */
export async function recomputeTree(size: number, source: TileSource, heads: readonly TreeHeadClaim[], fail: Fail): Promise<Recomputation> {
  let treeHeadsChecked = 0;
  const wellFormed = (h: TreeHeadClaim): boolean => Number.isSafeInteger(h.size) && h.size >= 0 && h.rootHash.length === HASH_BYTES;
  for (const head of heads.filter((h) => !wellFormed(h))) {
    treeHeadsChecked += 1;
    fail({ kind: 'tree_head_root_mismatch', checkpointId: head.checkpointId, reason: 'the checkpoint\'s tree head is not a size and a 32-byte root' });
  }
  const pending = heads.filter(wellFormed).sort((a, b) => a.size - b.size);
  let next = 0;
  const range = new CompactRange();
  const upper = new UpperTiles(size, source, fail);
  const checkHeadsAt = (n: number): void => {
    for (; next < pending.length && pending[next].size === n; next++) {
      const head = pending[next];
      treeHeadsChecked += 1;
      if (!range.root().equals(head.rootHash)) fail({ kind: 'tree_head_root_mismatch', checkpointId: head.checkpointId, treeSize: n, reason: `the root recomputed at tree size ${n} differs from the root the checkpoint signed` });
    }
  };

  checkHeadsAt(0);
  const tileCount = Math.ceil(size / TILE_WIDTH);
  let expected = 0;
  let complete = true;
  for await (const tile of source.leafTiles(tileCount)) {
    if (tile.index !== expected) break;
    const width = Math.min(TILE_WIDTH, size - tile.index * TILE_WIDTH);
    const held = tile.hashes.length / HASH_BYTES;
    if (held !== width) {
      fail({ kind: 'merkle_tile_mismatch', leafIndex: tile.index * TILE_WIDTH, treeSize: size, reason: `tile 0/${tile.index} holds ${held} leaf hashes, a tree of ${size} leaves needs ${width}` });
      if (held < width) {
        complete = false;
        break;
      }
    }
    for (let i = 0; i < width; i++) {
      for (const node of range.push(tile.hashes.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES))) await upper.compare(node);
      checkHeadsAt(range.count);
    }
    expected += 1;
  }
  if (complete && expected < tileCount) {
    fail({ kind: 'merkle_tile_mismatch', leafIndex: expected * TILE_WIDTH, treeSize: size, reason: `tile 0/${expected} is missing: the leaves from ${expected * TILE_WIDTH} on cannot be recomputed` });
    complete = false;
  }
  if (!complete) return { treeHeadsChecked };
  for (const head of pending.slice(next)) {
    treeHeadsChecked += 1;
    fail({ kind: 'tree_head_root_mismatch', checkpointId: head.checkpointId, treeSize: head.size, reason: `the checkpoint signed a tree of ${head.size} leaves; the stored tree has ${size}` });
  }
  return { root: range.root(), treeHeadsChecked };
}

/** A complete subtree the compact range formed: `2^height` leaves ending before leaf `end`. */
interface FormedNode {
  height: number;
  end: number;
  hash: Buffer;
}

/** The compact range [0, count): the complete subtrees of the binary decomposition of count, largest first. */
class CompactRange {
  private readonly nodes: { height: number; hash: Buffer }[] = [];
  count = 0;

  /** Appends a leaf hash; returns the complete subtrees it completed (heights 1, 2, …). */
  push(leaf: Buffer): FormedNode[] {
    this.count += 1;
    const formed: FormedNode[] = [];
    let node = { height: 0, hash: leaf };
    while (this.nodes.length && this.nodes[this.nodes.length - 1].height === node.height) {
      const left = this.nodes.pop() as { height: number; hash: Buffer };
      node = { height: node.height + 1, hash: nodeHash(left.hash, node.hash) };
      formed.push({ height: node.height, end: this.count, hash: node.hash });
    }
    this.nodes.push(node);
    return formed;
  }

  /** RFC 9162 MTH of the range: the subtrees folded right to left. */
  root(): Buffer {
    if (!this.nodes.length) return EMPTY_ROOT;
    let hash = this.nodes[this.nodes.length - 1].hash;
    for (let i = this.nodes.length - 2; i >= 0; i--) hash = nodeHash(this.nodes[i].hash, hash);
    return hash;
  }
}

/** The stored tiles above level 0, read one per level at a time as the recomputation reaches them. */
class UpperTiles {
  private readonly current = new Map<number, { index: number; hashes?: Buffer }>();

  constructor(
    private readonly size: number,
    private readonly source: TileSource,
    private readonly fail: Fail,
  ) {}

  async compare(node: FormedNode): Promise<void> {
    if (node.height % TILE_HEIGHT !== 0) return;
    const level = node.height / TILE_HEIGHT;
    const nodeIndex = node.end / 2 ** node.height - 1;
    const tileIndex = Math.floor(nodeIndex / TILE_WIDTH);
    const hashes = await this.load(level, tileIndex);
    if (!hashes) return;
    const at = nodeIndex - tileIndex * TILE_WIDTH;
    if (!hashes.subarray(at * HASH_BYTES, (at + 1) * HASH_BYTES).equals(node.hash)) {
      const first = node.end - 2 ** node.height;
      this.fail({ kind: 'merkle_tile_mismatch', leafIndex: first, treeSize: this.size, reason: `tile ${level}/${tileIndex} hash ${at} differs from the subtree recomputed from leaves ${first}..${node.end - 1}` });
    }
  }

  private async load(level: number, index: number): Promise<Buffer | undefined> {
    const held = this.current.get(level);
    if (held?.index === index) return held.hashes;
    const hashes = await this.source.tile(level, index);
    this.current.set(level, { index, hashes });
    const width = Math.min(TILE_WIDTH, Math.floor(this.size / TILE_WIDTH ** level) - index * TILE_WIDTH);
    const leafIndex = index * TILE_WIDTH ** (level + 1);
    if (!hashes) this.fail({ kind: 'merkle_tile_mismatch', leafIndex, treeSize: this.size, reason: `tile ${level}/${index} is missing` });
    else if (hashes.length !== width * HASH_BYTES) {
      this.fail({ kind: 'merkle_tile_mismatch', leafIndex, treeSize: this.size, reason: `tile ${level}/${index} holds ${hashes.length / HASH_BYTES} hashes, a tree of ${this.size} leaves needs ${width}` });
    }
    return hashes;
  }
}
