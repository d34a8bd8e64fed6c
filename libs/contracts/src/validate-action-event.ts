import { ACTION_EVENT_LIMITS, type ActionEvent, type ActionEventInput } from './action-event';
import { ACTION_EVENT_INPUT_SCHEMA, ACTION_EVENT_SCHEMA, TRACEPARENT_PATTERN } from './action-event.schema';
import { compileValidator, isPlainObject } from './schema-validator';
import type { FieldError, ValidationResult } from './validation-result';

const patterns = { [TRACEPARENT_PATTERN]: 'a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)' };

/** The `metadata` limit, in UTF-8 bytes of its JSON. */
function checkMetadataSize(event: Record<string, unknown>): FieldError[] {
  const metadata = event.metadata;
  if (!isPlainObject(metadata)) return [];
  let bytes: number;
  try {
    bytes = Buffer.byteLength(JSON.stringify(metadata), 'utf8');
  } catch {
    return [{ pointer: '/metadata', code: 'type', message: 'metadata must be JSON-serializable' }];
  }
  const max = ACTION_EVENT_LIMITS.metadataMaxBytes;
  if (bytes <= max) return [];
  return [{ pointer: '/metadata', code: 'tooLarge', message: `metadata must be at most ${max} bytes as JSON (is ${bytes})` }];
}

const inputValidator = compileValidator<ActionEventInput>(ACTION_EVENT_INPUT_SCHEMA, {
  rootName: 'event',
  patterns,
  forbidden: {
    '/tenantId': 'tenantId must not be sent: the tenant is taken from the API key',
    '/receivedAt': 'receivedAt must not be sent: it is stamped by the ingest service',
  },
  check: checkMetadataSize,
});

const storedValidator = compileValidator<ActionEvent>(ACTION_EVENT_SCHEMA, { rootName: 'event', patterns, check: checkMetadataSize });

/**
 * Validates what a producer submits. Reports every invalid field with a JSON pointer relative to
 * the event (use `prefixPointer` for batches). On success returns the same object, typed.
 */
export function validateActionEventInput(value: unknown): ValidationResult<ActionEventInput> {
  return inputValidator(value);
}

/** Validates a stored event (what Kafka carries): tenantId, eventId, occurredAt, receivedAt required. */
export function validateActionEvent(value: unknown): ValidationResult<ActionEvent> {
  return storedValidator(value);
}
