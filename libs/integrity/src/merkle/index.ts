export { EMPTY_ROOT, HASH_BYTES, leafHash, nodeHash } from './hashing';
export { consistencyRanges, inclusionRanges, largestPowerOfTwoBelow, perfectNodes, type LeafRange, type PerfectNode } from './ranges';
export {
  consistencyProof,
  inclusionProof,
  rangeHash,
  rootOfLeafHashes,
  verifyConsistency,
  verifyInclusion,
  verifyInclusionOfHash,
  type NodeReader,
} from './proofs';
export {
  appendLeafHashes,
  edgeTiles,
  rootFromTiles,
  TILE_HEIGHT,
  TILE_WIDTH,
  tileId,
  tileNodeReader,
  tileOfNode,
  tilesOfNodes,
  tilesReader,
  type Tile,
  type TileKey,
  type TileReader,
} from './tiles';
export { consistencyFromTiles, inclusionFromTiles, tilesOfRanges, type TileFetcher } from './tile-proofs';
