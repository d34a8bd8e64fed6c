import { createHash } from 'node:crypto';
import { canonicalJson } from '@agent-ledger/contracts';

/**
 * SHA-256 (lowercase hex) of the canonical JSON (RFC 8785) of an action's input: the same arguments
 * hash alike whatever the order of their keys. Taken by the producer over the real input, before
 * ingest redacts it; the ledger stores the hash as sent (docs/accountability.md).
 * @throws TypeError when the input has no JSON form (a non-finite number, a bigint, a cycle).
 */
export function inputHash(input: Record<string, unknown>): string {
  return createHash('sha256').update(canonicalJson(input), 'utf8').digest('hex');
}

/**
 * `approval.argsHash` of `action.confirmed`: {@link inputHash} of the input shown to the approver,
 * compared by the projector with the executed event's `inputHash`.
 */
export function argsHash(input: Record<string, unknown>): string {
  return inputHash(input);
}
