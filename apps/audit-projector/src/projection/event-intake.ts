import { actionEventsCodec, canonicalJson, printable, type ActionEvent, type DecodeFailureCode } from '@agent-ledger/contracts';
import { deriveColumns, deriveQueryColumns, UnstorableEventError, type DerivedColumns, type QueryColumns } from '@agent-ledger/integrity';
import type { KafkaMessage } from '@agent-ledger/kafka';

/**
 * Why a message went to the DLQ; the metric label. The full reason travels in the DLQ header.
 * The decode codes come from the topic codec (`actionEventsCodec`); `unstorable` is a safety net
 * that the intake contract leaves nothing to reach; `unknown_tenant` and `pii_envelope` (a PII
 * envelope that is malformed, names another subject's key or does not decrypt) are decided by the
 * projection.
 */
export type RejectionCode = DecodeFailureCode | 'unstorable' | 'unknown_tenant' | 'pii_envelope';

export interface AcceptedMessage {
  offset: bigint;
  message: KafkaMessage;
  event: ActionEvent;
  /** Columns derived from the event (PII encryption does not change them). */
  columns: DerivedColumns & QueryColumns;
  /** The event's canonical JSON as it arrived (serialized once; the stored form when it carries no clear PII). */
  eventJson: string;
}

export interface RejectedMessage {
  offset: bigint;
  message: KafkaMessage;
  code: RejectionCode;
  reason: string;
}

export type IntakeResult = { ok: true; value: AcceptedMessage } | { ok: false; value: RejectedMessage };

const MAX_REASON = 1_800;

/**
 * Decodes one message with the action events codec: the same intake contract ingest and the SDK
 * apply (schema v1, text rules, depth, instant range, sizes), so anything refused here is a message
 * of a direct producer that ingest would also have refused. Then derives the row's columns. Pure: a
 * message that fails here fails the same way every time, so it goes to the DLQ instead of being
 * retried. Reasons name fields, never values.
 */
export function intakeMessage(message: KafkaMessage): IntakeResult {
  const offset = BigInt(message.offset);
  const reject = (code: RejectionCode, reason: string): IntakeResult => ({ ok: false, value: { offset, message, code, reason: reason.slice(0, MAX_REASON) } });
  const decoded = actionEventsCodec.decode(message);
  if (!decoded.ok) return reject(decoded.code, decoded.reason);
  try {
    const eventJson = canonicalJson(decoded.value);
    return { ok: true, value: { offset, message, event: decoded.value, columns: { ...deriveColumns(decoded.value), ...deriveQueryColumns(decoded.value) }, eventJson } };
  } catch (err) {
    // Pure functions of the message: whatever they throw, they throw on every delivery.
    return reject('unstorable', printable(`cannot be stored: ${err instanceof UnstorableEventError || err instanceof TypeError ? err.message : String(err)}`));
  }
}
