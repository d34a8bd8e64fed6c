import { consistencyProof, inclusionProof, rangeHash } from './proofs';
import { consistencyRanges, inclusionRanges, perfectNodes, type LeafRange } from './ranges';
import { tilesOfNodes, tileNodeReader, tilesReader, type Tile, type TileKey } from './tiles';

/** Reads stored tiles (any it does not have are left out; the proof then fails loudly). */
export type TileFetcher = (keys: TileKey[]) => Promise<Tile[]>;

/** The tiles holding the complete subtrees of these ranges. */
export function tilesOfRanges(ranges: readonly LeafRange[]): TileKey[] {
  return tilesOfNodes(ranges.filter(([lo, hi]) => hi > lo).flatMap(perfectNodes));
}

/** Leaf `index`'s inclusion proof in the tree of `size` leaves, and that tree's root, from stored tiles (one read). */
export async function inclusionFromTiles(index: number, size: number, fetch: TileFetcher): Promise<{ proof: Buffer[]; root: Buffer; leaf: Buffer }> {
  const ranges: LeafRange[] = [...inclusionRanges(index, size), [0, size], [index, index + 1]];
  const read = tileNodeReader(tilesReader(await fetch(tilesOfRanges(ranges))));
  return { proof: inclusionProof(index, size, read), root: rangeHash([0, size], read), leaf: read({ level: 0, index }) };
}

/** The consistency proof between sizes `first` ≤ `second` and both roots, from stored tiles (one read). */
export async function consistencyFromTiles(first: number, second: number, fetch: TileFetcher): Promise<{ proof: Buffer[]; firstRoot: Buffer; secondRoot: Buffer }> {
  const ranges: LeafRange[] = [...consistencyRanges(first, second), [0, first], [0, second]];
  const read = tileNodeReader(tilesReader(await fetch(tilesOfRanges(ranges))));
  return { proof: consistencyProof(first, second, read), firstRoot: rangeHash([0, first], read), secondRoot: rangeHash([0, second], read) };
}
