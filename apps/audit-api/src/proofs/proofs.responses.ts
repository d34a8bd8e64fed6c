import { z } from 'zod';
import { checkpointSchema } from '../integrity/integrity.responses';

// The answers of GET /v1/proofs/inclusion, /v1/proofs/consistency and /v1/proofs/tree-head (docs/proofs.md). Hashes are lowercase hex.

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const count = z.number().int().min(0);

/** A checkpoint that signs a tree head. */
const signedCheckpoint = checkpointSchema.extend({ tree: z.object({ size: z.string().regex(/^\d+$/), rootHash: hex64 }).strict().describe('The signed tree head: size (leaves) and root') });

const signedTreeHead = signedCheckpoint
  .nullable()
  .describe("The signed checkpoint whose tree head (tree.size, tree.rootHash) is this tree size, if one was written at that size; null otherwise");

export const inclusionProofSchema = z
  .object({
    eventId: z.string().uuid(),
    leafIndex: count.describe("The event's position in the tenant's log"),
    treeSize: count.describe('The tree the proof is for (the newest signed tree head containing the event unless treeSize was given)'),
    rootHash: hex64.describe('The root of that tree'),
    leafHash: hex64.describe('SHA-256(0x00 ‖ leaf data); the leaf data is the stored row hash (event.hash)'),
    hashes: z.array(hex64).describe('The RFC 9162 inclusion path, leaf side first'),
    event: z
      .object({
        partition: z.number().int().min(0),
        chainSeq: z.string().regex(/^\d+$/),
        prevHash: hex64,
        hash: hex64.describe('SHA-256(prevHash ‖ eventJson): the leaf data'),
        eventJson: z.string().describe('The event as stored (canonical JSON; PII as ciphertext)'),
      })
      .strict()
      .nullable()
      .describe("The event's row as stored; null when retention removed the row (its leaf stays in the tree)"),
    treeHead: signedTreeHead,
  })
  .strict();

export const consistencyProofSchema = z
  .object({
    from: count,
    to: count,
    fromRootHash: hex64,
    toRootHash: hex64,
    hashes: z.array(hex64).describe('The RFC 9162 consistency proof (empty when from = to)'),
    fromTreeHead: signedTreeHead,
    toTreeHead: signedTreeHead,
  })
  .strict();

export const treeHeadSchema = z
  .object({
    treeSize: count.describe("The tenant's tree now (leaves); it may be ahead of the newest signed tree head"),
    rootHash: hex64.describe('The root of that tree (SHA-256 of the empty string before the first leaf)'),
    signedTreeHead: signedCheckpoint
      .nullable()
      .describe('The newest signed checkpoint carrying a tree head; null before the first one'),
  })
  .strict();
