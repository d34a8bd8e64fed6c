import { ESCALATION_EVENT_TYPES, type EscalationEvent, type EscalationEventType } from './escalation-event';
import { ESCALATION_EVENT_ENVELOPE_SCHEMA, ESCALATION_EVENT_SCHEMAS } from './escalation-event.schema';
import { compileValidator, isPlainObject } from './schema-validator';
import type { ValidationResult } from './validation-result';

const options = { rootName: 'escalation event' };

const byType = Object.fromEntries(
  ESCALATION_EVENT_TYPES.map((type) => [type, compileValidator<EscalationEvent>(ESCALATION_EVENT_SCHEMAS[type], options)]),
) as Record<EscalationEventType, (value: unknown) => ValidationResult<EscalationEvent>>;

const envelope = compileValidator<EscalationEvent>(ESCALATION_EVENT_ENVELOPE_SCHEMA, options);

/**
 * Validates a message of the escalations topic against the schema of its `type`, reporting every
 * invalid field with its JSON pointer. A missing or unknown `type` is reported together with the
 * problems of the fields all types share.
 */
export function validateEscalationEvent(value: unknown): ValidationResult<EscalationEvent> {
  const type = isPlainObject(value) ? value.type : undefined;
  if (typeof type === 'string' && Object.prototype.hasOwnProperty.call(byType, type)) return byType[type as EscalationEventType](value);
  return envelope(value);
}
