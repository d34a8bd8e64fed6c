import { dateTimeString, idString, uuidString } from './action-event.schema';
import type { Checkpoint } from './checkpoint';
import { compileValidator, deepFreeze } from './schema-validator';
import type { FieldError, ValidationResult } from './validation-result';

const CHAIN_SEQ_PATTERN = '^(0|[1-9][0-9]{0,18})$';
const SHA256_HEX_PATTERN = '^[0-9a-f]{64}$';
const BASE64_PATTERN = '^[A-Za-z0-9+/]+={0,2}$';

/**
 * JSON Schema (draft-07) of a checkpoint as published to `agent-ledger.checkpoints.v1`. Open, like
 * every schema readers validate (docs/events.md#evolution): a field added later is ignored by a
 * witness not upgraded yet, and stays covered by the signature (the signing payload is the whole
 * checkpoint but `signature`).
 */
export const CHECKPOINT_SCHEMA = deepFreeze({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:agent-ledger:schema:checkpoint:v1',
  title: 'Checkpoint v1',
  type: 'object',
  properties: {
    checkpointId: uuidString,
    tenantId: uuidString,
    createdAt: dateTimeString,
    heads: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          partition: { type: 'integer', minimum: 0 },
          chainSeq: { type: 'string', pattern: CHAIN_SEQ_PATTERN },
          hash: { type: 'string', pattern: SHA256_HEX_PATTERN },
        },
        required: ['partition', 'chainSeq', 'hash'],
      },
    },
    tree: {
      type: 'object',
      description: "The tenant's Merkle tree at the heads' moment (signed tree head, docs/proofs.md); absent in older checkpoints",
      properties: {
        size: { type: 'string', pattern: CHAIN_SEQ_PATTERN },
        rootHash: { type: 'string', pattern: SHA256_HEX_PATTERN },
      },
      required: ['size', 'rootHash'],
    },
    keyId: idString,
    signature: { type: 'string', pattern: BASE64_PATTERN, maxLength: 1_024 },
  },
  required: ['checkpointId', 'tenantId', 'createdAt', 'heads', 'keyId', 'signature'],
});

/** At most one head per partition. */
function checkDistinctPartitions(value: Record<string, unknown>): FieldError[] {
  if (!Array.isArray(value.heads)) return [];
  const seen = new Set<unknown>();
  const errors: FieldError[] = [];
  value.heads.forEach((head: unknown, i) => {
    const partition = typeof head === 'object' && head !== null ? (head as { partition?: unknown }).partition : undefined;
    if (typeof partition !== 'number') return;
    if (seen.has(partition)) {
      errors.push({ pointer: `/heads/${i}/partition`, code: 'duplicate', message: `heads[${i}].partition ${partition} appears more than once` });
    }
    seen.add(partition);
  });
  return errors;
}

const validator = compileValidator<Checkpoint>(CHECKPOINT_SCHEMA, {
  rootName: 'checkpoint',
  patterns: {
    [CHAIN_SEQ_PATTERN]: 'a non-negative 64-bit integer as a decimal string',
    [SHA256_HEX_PATTERN]: 'a SHA-256 hash as 64 lowercase hex characters',
    [BASE64_PATTERN]: 'base64',
  },
  check: checkDistinctPartitions,
});

/** Validates a checkpoint message (shape only; the signature is verified by the integrity code). */
export function validateCheckpoint(value: unknown): ValidationResult<Checkpoint> {
  return validator(value);
}
