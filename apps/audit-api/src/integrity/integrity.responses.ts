import { z } from 'zod';
import { instantOut } from '../queries/records.responses';

// The answers of the integrity endpoints: GET /v1/integrity/verify, /export (JSON lines of stored
// rows), /checkpoints (JSON lines of signed checkpoints). docs/integrity.md.

const seq = z.string().regex(/^\d+$/).describe('A chain_seq: a bigint as a decimal string');
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const partition = z.number().int().min(0);
const count = z.number().int().min(0);

const checkpointHead = z.object({ partition, chainSeq: seq, hash: hex64 }).strict();

/** A signed tree head (docs/proofs.md): absent in checkpoints written before the Merkle tree. */
const checkpointTree = z
  .object({ size: z.string().regex(/^\d+$/).describe('Leaves of the tree: a decimal string'), rootHash: hex64.describe('The RFC 9162 root (SHA-256), lowercase hex') })
  .strict()
  .describe("The tenant's Merkle tree at the heads' moment (signed tree head)");

/** A signed checkpoint as on the checkpoints topic (readers ignore fields added later). */
export const checkpointSchema = z
  .object({
    checkpointId: z.string().uuid(),
    tenantId: z.string().uuid(),
    createdAt: instantOut,
    heads: z.array(checkpointHead),
    tree: checkpointTree.optional(),
    keyId: z.string().min(1),
    signature: z.string().min(1),
  })
  .passthrough();

const failureSchema = z
  .object({
    kind: z.string(),
    tenantId: z.string().optional(),
    partition: partition.optional(),
    chainSeq: seq.optional(),
    eventId: z.string().optional(),
    checkpointId: z.string().optional(),
    leafIndex: count.optional().describe('The Merkle leaf at fault (the first leaf of the subtree, for a tile hash)'),
    treeSize: count.optional().describe('The Merkle tree size at fault (a tree root or a signed tree head)'),
    reason: z.string(),
  })
  .strict();

export const verifyAnswerSchema = z
  .object({
    ok: z.boolean().describe('True only when status is ok'),
    status: z.enum(['ok', 'unverified', 'failed']),
    eventsChecked: count,
    checkpointsChecked: count,
    chains: z.array(z.object({ partition, fromSeq: seq, toSeq: seq, headHash: hex64, events: count }).strict()),
    uncovered: z.array(z.object({ partition, fromSeq: seq, toSeq: seq, events: count }).strict()),
    unverifiedReasons: z.array(z.string()),
    lastCheckpoint: z.object({ checkpointId: z.string().uuid(), createdAt: instantOut, keyId: z.string(), heads: z.array(checkpointHead) }).strict().nullable(),
    newestCheckpointAge: z.number().min(0).nullable().describe('Seconds since the newest valid checkpoint was created'),
    witness: z.enum(['read', 'unavailable', 'not_configured']),
    merkle: z
      .object({
        treeSize: count.describe("Leaves of the tenant's stored Merkle tree, recomputed from its level-0 tiles"),
        leavesChecked: count.describe("Rows of the window whose leaf hash was compared with the tree's level-0 tiles"),
        treeHeadsChecked: count.describe("Signed tree heads (checkpoints of the window) whose root was compared with the root recomputed at their size"),
      })
      .strict(),
    firstFailure: failureSchema.optional(),
    failures: z.array(failureSchema),
    window: z.object({ from: instantOut.nullable(), to: instantOut.nullable() }).strict(),
  })
  .strict();

const nullableText = z.string().nullable();

/** One line of the chain export: a stored row, `eventJson` byte for byte (ChainExportRow of libs/integrity). */
export const chainExportRowSchema = z
  .object({
    tenantId: z.string().uuid(),
    partition,
    chainSeq: seq,
    eventId: z.string().uuid(),
    prevHash: hex64,
    hash: hex64,
    eventJson: z.string(),
    type: z.string(),
    actionId: nullableText,
    sessionId: nullableText,
    agentId: nullableText,
    actorId: nullableText,
    toolName: nullableText,
    riskLevel: nullableText,
    approvalDecision: nullableText,
    subjectId: nullableText,
    resourceType: nullableText,
    resourceId: nullableText,
    occurredAt: instantOut,
    receivedAt: instantOut,
    taskId: nullableText.optional(),
    planId: nullableText.optional(),
    stepId: nullableText.optional(),
    approvalId: nullableText.optional(),
    messageRole: nullableText.optional(),
    changeAction: nullableText.optional(),
    toolProvider: nullableText.optional(),
    agentName: nullableText.optional(),
    errorMessage: nullableText.optional(),
  })
  .strict();
