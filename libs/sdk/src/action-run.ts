import { ACTION_EVENT_LIMITS, type ActionError } from '@agent-ledger/contracts';
import type { EventRecorder } from './event-recorder';
import type { AttemptedEvent, RecordOptions } from './ledger-events';

export interface RunActionOptions<T> {
  /** The executed event's `output` (default: the result when it is a plain object, else none). */
  output?: (result: T) => Record<string, unknown> | undefined;
  /** The failed event's `error` (default: the thrown error's name as `code` and its message). */
  error?: (err: unknown) => ActionError;
  /** How the three events are sent (see {@link RecordOptions}). */
  record?: RecordOptions;
}

/**
 * Records `action.attempted`, runs `fn`, then always records the action's terminal event:
 * `action.executed` with the output and duration, or `action.failed` with the error and duration
 * (and rethrows it). The terminal events carry the attempt's context (session, agent, actor,
 * subject, task, plan, trace), tool, approval and input — so `executed` gets the `inputHash` of
 * the input that ran. An action that never reaches its terminal event opens a `stuck_action`
 * escalation after its deadline; this helper is the way not to forget one.
 *
 * Resolves to what `fn` returned. `fn` gets the `actionId` (generated when the attempt has none).
 * An error recording the terminal event is thrown, except after `fn` threw: then `fn`'s error is.
 */
export async function runAction<T>(ledger: EventRecorder, action: AttemptedEvent, fn: (actionId: string) => Promise<T> | T, options: RunActionOptions<T> = {}): Promise<T> {
  const actionId = await ledger.attempted(action, options.record);
  // The context and subject of the action, without the attempt's own event id and time.
  const { eventId: _eventId, occurredAt: _occurredAt, ...carried } = action;
  const started = Date.now();
  const elapsed = () => Date.now() - started;
  let result: T;
  try {
    result = await fn(actionId);
  } catch (err) {
    const durationMs = elapsed();
    await ledger.failed({ ...carried, actionId, durationMs, error: (options.error ?? errorOf)(err) }, options.record).catch(() => undefined);
    throw err;
  }
  const output = options.output ? options.output(result) : plainObject(result);
  await ledger.executed({ ...carried, actionId, durationMs: elapsed(), ...(output ? { output } : {}) }, options.record);
  return result;
}

/** The default `error` of a failed run: the error's name (as `code`) and message, cut to the schema's limits. */
export function errorOf(err: unknown): ActionError {
  const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);
  if (err instanceof Error) return { message: cut(err.message || err.name || 'Error', ACTION_EVENT_LIMITS.messageMaxLength), code: cut(err.name || 'Error', ACTION_EVENT_LIMITS.idMaxLength) };
  return { message: cut(typeof err === 'string' && err ? err : 'the action threw a non-Error value', ACTION_EVENT_LIMITS.messageMaxLength) };
}

function plainObject(v: unknown): Record<string, unknown> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null ? (v as Record<string, unknown>) : undefined;
}
