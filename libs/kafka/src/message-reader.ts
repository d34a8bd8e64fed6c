import type { CommonMeta, TopicCodec } from '@agent-ledger/contracts';
import type { KafkaMessage } from 'kafkajs';
import type { Rejection } from './consumer-host.types';

const MAX_REASON = 1_800;

/**
 * Decodes a consumed message with its topic's codec (the one definition of the topic's key,
 * headers and schema); a refusal is a {@link Rejection} carrying the codec's code (`empty`,
 * `too_large`, `invalid_json`, `schema_version`, `schema`) and a reason that names fields and
 * positions, never values.
 */
export function decodeMessage<T, M extends CommonMeta>(message: KafkaMessage, codec: TopicCodec<T, M>): { value: T } | Rejection {
  const decoded = codec.decode(message);
  if (decoded.ok) return { value: decoded.value };
  return { message, code: decoded.code, reason: `${decoded.code}: ${decoded.reason}`.slice(0, MAX_REASON) };
}
