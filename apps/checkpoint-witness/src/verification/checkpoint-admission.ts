import { checkpointsCodec, type Checkpoint } from '@agent-ledger/contracts';
import { decodeMessage, type KafkaMessage } from '@agent-ledger/kafka';
import type { RefusedRecord } from '../store/checkpoint-store';
import { checkSignature, type TrustedKeySet } from './trusted-keys';

/** Where a message was read. */
export interface ReadPosition {
  topic: string;
  partition: number;
  receivedAt: string;
}

/**
 * Decides whether a message of the checkpoints topic is a trusted checkpoint: a valid checkpoint
 * (the topic's codec: its schema, a lowercase UUID tenant — the store's file name — included), signed
 * by a trusted key within its window.
 * Anything else is a refusal naming why.
 */
export function admitCheckpoint(message: KafkaMessage, keys: TrustedKeySet, at: ReadPosition): { checkpoint: Checkpoint } | { refused: RefusedRecord } {
  const where = { ...at, offset: message.offset };
  const r = decodeMessage(message, checkpointsCodec);
  if (!('value' in r)) return { refused: { ...where, code: 'invalid', reason: r.reason } };
  const cp = r.value;
  const refusal = checkSignature(cp, keys);
  if (refusal) return { refused: { ...where, code: refusal, reason: `${refusal}: key ${cp.keyId}`, tenantId: cp.tenantId, checkpointId: cp.checkpointId, checkpoint: cp } };
  return { checkpoint: cp };
}
