import { canonicalJson } from '../canonical-json';
import type { Checkpoint } from '../checkpoint';
import { CHECKPOINT_SCHEMA_VERSION, CHECKPOINTS_TOPIC } from '../topics';
import { validateCheckpoint } from '../validate-checkpoint';
import { commonHeaders, commonMeta, decodeWith, MAX_DECODED_VALUE_BYTES, type CommonMeta, type TopicCodec } from './topic-codec';

/** Decoded headers of a checkpoint message. */
export type CheckpointMeta = CommonMeta;

/**
 * Codec of `agent-ledger.checkpoints.v1` (the projector publishes signed checkpoints for outside
 * witnesses).
 *
 * - key: the tenant id (a tenant's checkpoints stay in order);
 * - value: the signed checkpoint as canonical JSON (the signing payload plus `signature`);
 * - headers: `x-ledger-schema: checkpoint.v1`, `traceparent` when given;
 * - decode: size, UTF-8 JSON, schema header, then `validateCheckpoint` (shape only: verifying the
 *   signature needs the public key, see `verifyCheckpointSignature` in libs/integrity).
 */
export const checkpointsCodec: TopicCodec<Checkpoint, CheckpointMeta> = {
  topic: CHECKPOINTS_TOPIC,
  schemaVersion: CHECKPOINT_SCHEMA_VERSION,
  key: (checkpoint) => checkpoint.tenantId,
  validate: validateCheckpoint,
  encode: (checkpoint, meta = {}) => ({
    key: checkpoint.tenantId,
    value: canonicalJson(checkpoint),
    headers: commonHeaders(CHECKPOINT_SCHEMA_VERSION, meta.traceparent),
  }),
  decode: (message) =>
    decodeWith(message, { schemaVersion: CHECKPOINT_SCHEMA_VERSION, maxBytes: MAX_DECODED_VALUE_BYTES, validate: validateCheckpoint, meta: commonMeta }),
};
