import { randomUUID } from 'node:crypto';
import { checkJsonText, validateActionEventInput, type ActionEventInput } from '@agent-ledger/contracts';
import { LedgerError, LedgerErrorCode } from './ledger-error';
import type { LedgerEventInput } from './ledger-events';

/**
 * Turns what the caller passed into the JSON that is sent: stamps `eventId` (UUID v4, the
 * idempotency key every retry reuses) and `occurredAt` (now) when absent, and normalizes through
 * JSON so that what is validated is exactly what goes on the wire (`undefined` properties dropped,
 * `Date`s as ISO strings). Does not mutate `input`.
 *
 * @throws LedgerError `invalid_event` with every invalid field, when `validate` and the event is invalid.
 */
export function prepareEvent(input: LedgerEventInput, options: { now: Date; validate: boolean }): { event: ActionEventInput; json: string } {
  if (options.validate) {
    // Before serializing: JSON would turn a non-finite number into null, and too deep a value
    // would exhaust the stack. Dates and undefined properties pass (they have a JSON form).
    const unsafe = checkJsonText(input);
    if (unsafe.length) {
      throw new LedgerError({
        code: LedgerErrorCode.InvalidEvent,
        message: `invalid ${String(input.type)} event: ${unsafe.map((e) => e.message).join('; ')}`,
        fields: unsafe,
      });
    }
  }
  const { occurredAt, ...rest } = input;
  const stamped = {
    ...rest,
    eventId: rest.eventId ?? randomUUID(),
    occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : (occurredAt ?? options.now.toISOString()),
  };

  let json: string;
  try {
    json = JSON.stringify(stamped);
  } catch (err) {
    throw new LedgerError({
      code: LedgerErrorCode.InvalidEvent,
      message: `event is not JSON-serializable: ${(err as Error).message}`,
      fields: [{ pointer: '', code: 'type', message: 'event must be JSON-serializable' }],
      cause: err,
    });
  }
  const event = JSON.parse(json) as ActionEventInput;

  if (options.validate) {
    const result = validateActionEventInput(event);
    if (!result.ok) {
      throw new LedgerError({
        code: LedgerErrorCode.InvalidEvent,
        message: `invalid ${String(event.type)} event: ${result.errors.map((e) => e.message).join('; ')}`,
        fields: result.errors,
        events: [event],
      });
    }
  }
  return { event, json };
}
