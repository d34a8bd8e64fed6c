import { ACTION_EVENT_LIMITS, type ActionEvent, type ActionEventInput } from './action-event';
import { ACTION_EVENT_INPUT_SCHEMA, ACTION_EVENT_SCHEMA, TRACEPARENT_PATTERN } from './action-event.schema';
import { compileValidator, isPlainObject } from './schema-validator';
import type { FieldError, ValidationResult } from './validation-result';

const patterns = { [TRACEPARENT_PATTERN]: 'a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)' };

/** UTF-8 bytes of `value` as JSON, or undefined when it cannot be serialized. */
function jsonBytes(value: unknown): number | undefined {
  try {
    return Buffer.byteLength(JSON.stringify(value), 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * How much larger than its JSON text a parsed value's compact JSON can be: whitespace, escapes and
 * repeated keys only shrink; the one thing that grows is a number literal (`1e20` is printed as 21
 * digits, `-1e20` as 22: at most 5.25 times its text).
 */
const MAX_COMPACT_GROWTH = 6;

/**
 * The byte limits: the whole event (`eventMax`) and `metadata`. When the length of the JSON text the
 * event was parsed from is known (a consumed message) and the value cannot reach a limit, that
 * limit's serialization is skipped: the result is the same, without the cost.
 */
function sizeCheck(eventMax: number, whatIsMeasured: string) {
  return (event: Record<string, unknown>, sourceBytes?: number): FieldError[] => {
    const bound = sourceBytes === undefined ? Infinity : MAX_COMPACT_GROWTH * sourceBytes;
    const errors: FieldError[] = [];
    if (bound > eventMax) {
      const bytes = jsonBytes(event);
      if (bytes === undefined) return [{ pointer: '', code: 'type', message: 'event must be JSON-serializable' }];
      if (bytes > eventMax) errors.push({ pointer: '', code: 'tooLarge', message: `event must be at most ${eventMax} bytes as JSON${whatIsMeasured} (is ${bytes})` });
    }
    const metadata = event.metadata;
    const max = ACTION_EVENT_LIMITS.metadataMaxBytes;
    if (bound > max && isPlainObject(metadata)) {
      const metadataBytes = jsonBytes(metadata) ?? 0;
      if (metadataBytes > max) errors.push({ pointer: '/metadata', code: 'tooLarge', message: `metadata must be at most ${max} bytes as JSON (is ${metadataBytes})` });
    }
    return errors;
  };
}

const inputValidator = compileValidator<ActionEventInput>(ACTION_EVENT_INPUT_SCHEMA, {
  rootName: 'event',
  patterns,
  forbidden: {
    '/tenantId': 'tenantId must not be sent: the tenant is taken from the API key',
    '/receivedAt': 'receivedAt must not be sent: it is stamped by the ingest service',
  },
  check: sizeCheck(ACTION_EVENT_LIMITS.inputMaxBytes, ''),
});

const storedValidator = compileValidator<ActionEvent>(ACTION_EVENT_SCHEMA, {
  rootName: 'event',
  patterns,
  check: sizeCheck(ACTION_EVENT_LIMITS.eventMaxBytes, ' once redacted and stamped'),
});

/**
 * Validates what a producer submits against the intake contract (docs/intake-contract.md): schema
 * v1, the text rules (no NUL or lone surrogates in any string or key, at most 64 levels, finite
 * numbers), date-times within 1970–9999, and the byte limits. Walks the value without recursion, so
 * it is safe to call before anything recursive (redaction). Reports every invalid field with a JSON
 * pointer relative to the event (use `prefixPointer` for batches). On success returns the same
 * object, typed.
 */
export function validateActionEventInput(value: unknown): ValidationResult<ActionEventInput> {
  return inputValidator(value);
}

/**
 * Validates a stored event (what Kafka carries) against the same contract: tenantId, eventId,
 * occurredAt and receivedAt required, at most {@link ACTION_EVENT_LIMITS.eventMaxBytes} bytes.
 * Every event that passes can be stored by the projector. `sourceBytes`: the length of the JSON text
 * the value was parsed from, when known (a consumed message): the size limits are then measured only
 * when that text could reach them.
 */
export function validateActionEvent(value: unknown, sourceBytes?: number): ValidationResult<ActionEvent> {
  return storedValidator(value, sourceBytes);
}
