import type { ActionEvent } from '@agent-ledger/contracts';
import { evaluate, windowFeed, type EscalationSettings, type Evaluation, type WindowFeed } from '@agent-ledger/escalation-rules';
import type { MessageHeaders } from '@agent-ledger/telemetry';
import type { Fire } from './fire';

/** An action event as consumed: the event and its message's headers (its trace context). */
export interface ConsumedActionEvent {
  event: ActionEvent;
  headers?: MessageHeaders;
}

/** An event of a batch that touches the worker's state, with what the rules made of it. */
export interface PlannedEvent extends ConsumedActionEvent {
  settings: EscalationSettings;
  /** The conversation its escalations belong to. */
  sessionId: string;
  /** `occurredAt` in ms: what the windows are measured on. */
  at: number;
  evaluation: Evaluation;
  feed: WindowFeed;
  /** Its handling is remembered by a seen mark (see {@link needsSeenMark}). */
  remembered: boolean;
}

/** Whether the event fires, counts in a window, decides or finishes an action or starts a timer: anything but a no-op. */
export function touchesState(ev: Evaluation, feed: WindowFeed): boolean {
  return ev.triggers.length > 0 || ev.countsAsFailure || ev.decidesAction || ev.finishesAction || ev.timers.length > 0 || !!(feed.session || feed.finished || feed.failure || feed.latency || feed.change);
}

/**
 * Whether handling the event must be remembered by a seen mark: anything but the watchdog's own steps
 * (a stuck timer, a terminal event), which are idempotent on the action (its timer slot, its finished
 * mark). Most action events are only those: they leave no seen mark behind.
 */
export function needsSeenMark(ev: Evaluation, feed: WindowFeed): boolean {
  return touchesState({ ...ev, finishesAction: false, timers: ev.timers.filter((t) => t.kind !== 'stuck') }, feed);
}

/**
 * Pure: evaluates a batch in memory under each tenant's settings and keeps, in order, the events
 * that touch the worker's state, each once (a repeated event id of a tenant is dropped). Events that
 * fire nothing, feed no window and neither start nor finish an action cost no Redis command at all;
 * an action's start or end costs one script of the batch's first round trip (the watchdog's timer).
 */
export function planActionBatch(items: readonly ConsumedActionEvent[], settingsOf: (tenantId: string) => EscalationSettings): PlannedEvent[] {
  const planned: PlannedEvent[] = [];
  const seen = new Set<string>();
  for (const item of items) {
    const e = item.event;
    const settings = settingsOf(e.tenantId);
    const evaluation = evaluate(e, settings);
    const feed = windowFeed(e, settings);
    if (!touchesState(evaluation, feed)) continue;
    const id = `${e.tenantId}:${e.eventId}`;
    if (seen.has(id)) continue;
    seen.add(id);
    planned.push({ ...item, settings, sessionId: sessionOf(e), at: Date.parse(e.occurredAt), evaluation, feed, remembered: needsSeenMark(evaluation, feed) });
  }
  return planned;
}

/** Pure: the rules that fire on the event alone. */
export function triggerFires(p: PlannedEvent): Fire[] {
  const e = p.event;
  return p.evaluation.triggers.map((t) => ({ tenantId: e.tenantId, sessionId: p.sessionId, actionId: e.actionId, reason: t.reason, summary: t.summary, triggerId: e.eventId }));
}

/** Escalations are per conversation; an event without a session falls back to its action. */
export function sessionOf(e: ActionEvent): string {
  return e.sessionId ?? (e.actionId ? `action:${e.actionId}` : 'no-session');
}
