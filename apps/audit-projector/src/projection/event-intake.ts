import { canonicalJson, validateActionEvent, type ActionEvent } from '@agent-ledger/contracts';
import { deriveColumns, UnstorableEventError, type DerivedColumns } from '@agent-ledger/integrity';
import type { KafkaMessage } from '@agent-ledger/kafka';

/** Why a message went to the DLQ; the metric label. The full reason travels in the DLQ header. */
export type RejectionCode = 'empty' | 'invalid_json' | 'schema' | 'unstorable' | 'unknown_tenant';

export interface AcceptedMessage {
  offset: bigint;
  message: KafkaMessage;
  event: ActionEvent;
  /** Columns derived from the event (PII encryption does not change them). */
  columns: DerivedColumns;
}

export interface RejectedMessage {
  offset: bigint;
  message: KafkaMessage;
  code: RejectionCode;
  reason: string;
}

export type IntakeResult = { ok: true; value: AcceptedMessage } | { ok: false; value: RejectedMessage };

const MAX_REASON = 1_800;
/** Deeper JSON is refused: canonicalization and encryption recurse, and no real event nests this far. */
const MAX_DEPTH = 64;

/**
 * Parses and validates one message against the stored-event schema v1, and checks it can be stored
 * (canonical JSON exists, timestamps fit PostgreSQL). Pure: a message that fails here fails the same
 * way every time, so it goes to the DLQ instead of being retried. Reasons name fields, never values.
 */
export function intakeMessage(message: KafkaMessage): IntakeResult {
  const offset = BigInt(message.offset);
  const reject = (code: RejectionCode, reason: string): IntakeResult => ({ ok: false, value: { offset, message, code, reason: reason.slice(0, MAX_REASON) } });
  if (!message.value || message.value.length === 0) return reject('empty', 'empty message value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch (err) {
    // V8's message may quote a piece of the input (which may be PII): keep only the position.
    const position = /position (\d+)/.exec((err as Error).message)?.[1];
    return reject('invalid_json', position === undefined ? 'invalid JSON' : `invalid JSON at position ${position}`);
  }
  const result = validateActionEvent(parsed);
  if (!result.ok) {
    return reject('schema', `schema action-event.v1: ${result.errors.map((e) => `${e.pointer || '/'} ${e.code}: ${e.message}`).join('; ')}`);
  }
  const depth = nestingDepth(result.value);
  if (depth > MAX_DEPTH) return reject('unstorable', `cannot be stored: nested ${depth} levels deep (at most ${MAX_DEPTH})`);
  try {
    canonicalJson(result.value);
    return { ok: true, value: { offset, message, event: result.value, columns: deriveColumns(result.value) } };
  } catch (err) {
    // Pure functions of the message: whatever they throw, they throw on every delivery.
    return reject('unstorable', `cannot be stored: ${err instanceof UnstorableEventError || err instanceof TypeError ? err.message : String(err)}`);
  }
}

/** Depth of nested objects/arrays, counted without recursion (a hostile message cannot blow the stack). */
function nestingDepth(root: unknown): number {
  let max = 0;
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > max) max = depth;
    if (max > MAX_DEPTH) return max;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}
