import { HASH_BYTES, nodeHash } from './hashing';
import { rangeHash, type NodeReader } from './proofs';
import type { PerfectNode } from './ranges';

/**
 * The stored layout (C2SP tlog-tiles' geometry): a tile of level L and index N holds up to 256
 * consecutive hashes of tree level 8·L — nodes N·256 … N·256+255 of that level — concatenated.
 * Level-0 tiles hold the leaf hashes. A tile's 256 hashes make the complete subtree that is hash N
 * of level 8·(L+1), stored in the tile above. Only the rightmost tile of each level is partial; it
 * is rewritten as it grows. The nodes of levels between the tiles' levels are hashed from a tile
 * on demand (at most 127 hashes).
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

export interface TileKey {
  level: number;
  index: number;
}

export interface Tile extends TileKey {
  /** Concatenated 32-byte hashes, 1 … 256 of them. */
  hashes: Buffer;
}

export type TileReader = (key: TileKey) => Buffer | undefined;

export function tileId(k: TileKey): string {
  return `${k.level}/${k.index}`;
}

/** Where a complete subtree's hash comes from: which tile, and which of its hashes to fold. */
export function tileOfNode(node: PerfectNode): { tile: TileKey; first: number; count: number; height: number } {
  const level = Math.floor(node.level / TILE_HEIGHT);
  const height = node.level - level * TILE_HEIGHT;
  const firstNode = node.index * 2 ** height;
  const index = Math.floor(firstNode / TILE_WIDTH);
  return { tile: { level, index }, first: firstNode - index * TILE_WIDTH, count: 2 ** height, height };
}

/** A NodeReader over tiles; throws when a tile is missing or too short (the store is inconsistent). */
export function tileNodeReader(read: TileReader): NodeReader {
  return (node) => {
    const { tile, first, count } = tileOfNode(node);
    const hashes = read(tile);
    if (!hashes || hashes.length < (first + count) * HASH_BYTES) throw new Error(`merkle tile ${tileId(tile)} lacks node ${node.level}/${node.index}`);
    const slice: Buffer[] = [];
    for (let i = 0; i < count; i++) slice.push(hashes.subarray((first + i) * HASH_BYTES, (first + i + 1) * HASH_BYTES));
    return foldPerfect(slice);
  };
}

/** The root of a complete subtree given its 2^h bottom hashes. */
function foldPerfect(hashes: Buffer[]): Buffer {
  let level = hashes;
  while (level.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i], level[i + 1]));
    level = up;
  }
  return level[0];
}

/** The tiles a set of complete subtrees is read from. */
export function tilesOfNodes(nodes: readonly PerfectNode[]): TileKey[] {
  const byId = new Map<string, TileKey>();
  for (const n of nodes) {
    const { tile } = tileOfNode(n);
    byId.set(tileId(tile), tile);
  }
  return [...byId.values()];
}

/** The rightmost (partial) tile of each level of a tree of `size` leaves, with how many hashes each holds. */
export function edgeTiles(size: number): (TileKey & { width: number })[] {
  const out: (TileKey & { width: number })[] = [];
  for (let level = 0, count = size; count > 0; level++, count = Math.floor(count / TILE_WIDTH)) {
    const width = count % TILE_WIDTH;
    if (width) out.push({ level, index: Math.floor(count / TILE_WIDTH), width });
  }
  return out;
}

/**
 * Appends leaf hashes to a tree of `size` leaves whose partial edge tiles are `edge` (from
 * {@link edgeTiles}, each with exactly `width` hashes). Returns the new size, every tile written
 * (full ones completed and the new partial edge) and the new edge.
 */
export function appendLeafHashes(size: number, edge: readonly Tile[], leaves: readonly Buffer[]): { size: number; writes: Tile[]; edge: Tile[] } {
  const open = new Map<number, { index: number; hashes: Buffer[] }>();
  for (const t of edge) {
    const hashes: Buffer[] = [];
    for (let i = 0; i < t.hashes.length; i += HASH_BYTES) hashes.push(t.hashes.subarray(i, i + HASH_BYTES));
    open.set(t.level, { index: t.index, hashes });
  }
  const touched = new Map<string, Tile>();
  const push = (level: number, nodeIndex: number, hash: Buffer): void => {
    const index = Math.floor(nodeIndex / TILE_WIDTH);
    let tile = open.get(level);
    if (!tile || tile.index !== index) {
      if (tile && tile.hashes.length) throw new Error(`merkle tile ${level}/${tile.index} is partial but the tree grew past it`);
      tile = { index, hashes: [] };
      open.set(level, tile);
    }
    if (nodeIndex - index * TILE_WIDTH !== tile.hashes.length) throw new Error(`merkle tile ${level}/${index}: hash ${nodeIndex} out of order`);
    tile.hashes.push(hash);
    touched.set(`${level}/${index}`, { level, index, hashes: Buffer.alloc(0) });
    if (tile.hashes.length === TILE_WIDTH) {
      touched.set(`${level}/${index}`, { level, index, hashes: Buffer.concat(tile.hashes) });
      open.set(level, { index: index + 1, hashes: [] });
      push(level + 1, index, foldPerfect(tile.hashes));
    }
  };
  let n = size;
  for (const leaf of leaves) {
    if (leaf.length !== HASH_BYTES) throw new RangeError('a leaf hash is 32 bytes');
    push(0, n, leaf);
    n += 1;
  }
  const newEdge: Tile[] = [];
  for (const [level, t] of open) if (t.hashes.length) newEdge.push({ level, index: t.index, hashes: Buffer.concat(t.hashes) });
  const writes = [...touched.values()].map((w) => (w.hashes.length ? w : (newEdge.find((e) => e.level === w.level && e.index === w.index) as Tile)));
  return { size: n, writes, edge: newEdge.sort((a, b) => a.level - b.level) };
}

/** The root of the tree of `size` leaves, read from its tiles (the edge tiles suffice). */
export function rootFromTiles(size: number, read: TileReader): Buffer {
  return rangeHash([0, size], tileNodeReader(read));
}

/** A TileReader over a list of tiles. */
export function tilesReader(tiles: readonly Tile[]): TileReader {
  const byId = new Map(tiles.map((t) => [tileId(t), t.hashes]));
  return (k) => byId.get(tileId(k));
}
