import { randomUUID } from 'node:crypto';
import { checkJsonText, validateActionEventInput, type ActionEventInput, type ProducerStamp } from '@agent-ledger/contracts';
import { LedgerError, LedgerErrorCode } from './ledger-error';
import type { LedgerEventInput } from './ledger-events';

/**
 * Turns what the caller passed into the JSON that is sent: stamps `eventId` (UUID v4, the
 * idempotency key every retry reuses) and `occurredAt` (now) when absent, and normalizes through
 * JSON so that what is validated is exactly what goes on the wire (`undefined` properties dropped,
 * `Date`s as ISO strings). With `producer`, stamps it as the event's `producer` unless the input
 * carries one (an event recorded again keeps its stamp); `stamped` says whether it did, and the
 * caller then consumes the number. Does not mutate `input`.
 *
 * @throws LedgerError `invalid_event` with every invalid field, when `validate` and the event is invalid.
 */
export function prepareEvent(
  input: LedgerEventInput,
  options: { now: Date; validate: boolean; producer?: ProducerStamp },
): { event: ActionEventInput; json: string; stamped: boolean } {
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
  const stamp = rest.producer === undefined ? options.producer : undefined;
  const stamped = {
    ...rest,
    eventId: rest.eventId ?? randomUUID(),
    occurredAt: occurredAt instanceof Date ? occurredAt.toISOString() : (occurredAt ?? options.now.toISOString()),
    ...(stamp ? { producer: { id: stamp.id, seq: stamp.seq } } : {}),
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
        events: [stamp ? unstamped(event) : event],
      });
    }
  }
  return { event, json, stamped: stamp !== undefined };
}

/**
 * The event without the producer stamp this client gave it: what an error reports for an event the
 * client refused, whose number was not consumed (recorded again, it gets the next number).
 */
export function unstamped(event: ActionEventInput): ActionEventInput {
  const { producer: _producer, ...rest } = event;
  return rest;
}
