import type { KafkaMessage } from 'kafkajs';
import type { Rejection } from './consumer-host.types';

type Validate<T> = (v: unknown) => { ok: true; value: T } | { ok: false; errors: { pointer: string; message: string }[] };

/**
 * Parses a message's JSON value and validates it; a refusal is a {@link Rejection} (code
 * `empty`, `invalid_json` or `schema`) whose reason names fields and positions, never values.
 */
export function readJsonMessage<T>(message: KafkaMessage, validate: Validate<T>, schema: string): { value: T } | Rejection {
  if (!message.value?.length) return { message, code: 'empty', reason: 'empty: the message has no value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch (err) {
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    return { message, code: 'invalid_json', reason: `invalid_json: the value is not JSON${position === undefined ? '' : ` (at position ${position})`}` };
  }
  const r = validate(parsed);
  if (r.ok) return { value: r.value };
  const errors = r.errors.map((e) => `${e.pointer || '/'} ${e.message}`).join('; ');
  return { message, code: 'schema', reason: `schema ${schema}: ${errors}`.slice(0, 1_800) };
}
