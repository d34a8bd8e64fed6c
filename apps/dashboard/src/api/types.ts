/**
 * Shapes of the audit API's answers, as the dashboard reads them (see docs/dashboard.md): each an
 * alias of the answer the OpenAPI document declares (openapi/audit-api.json, generated from the
 * controllers; audit-api.gen.ts is generated from it by `npm run build`). Nothing here is written by
 * hand but the narrowing of the stored event's open fields the dashboard reads.
 */
import type { operations } from '../../../../libs/contracts/src/api/audit-api.gen';

/** The JSON body an operation answers with `status`. */
type Answer<Op extends keyof operations, Status extends keyof operations[Op]['responses'] = 200 & keyof operations[Op]['responses']> = operations[Op]['responses'][Status] extends {
  content: { 'application/json': infer Body };
}
  ? Body
  : never;

export type ActionDetail = Answer<'RecordsController_action'>;
export type Action = Answer<'RecordsController_listActions'>['items'][number];
export type ActionStatus = Action['status'];
export type TimelineEntry = ActionDetail['timeline'][number];

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

type EventRecord = Answer<'RecordsController_listEvents'>['items'][number];

/** A stored event as the stream and the events list give it; the event's fields the dashboard reads, narrowed. */
export type StoredEvent = Omit<EventRecord, 'event'> & {
  event: EventRecord['event'] & { actionId?: string; sessionId?: string; tool?: { name?: string } };
};

/** `GET /v1/stats` (docs/statistics.md). */
export type Stats = Answer<'StatsController_statistics'>;
/** Durations of a set of actions (ms); null when none reported one. */
export type DurationFigures = Stats['duration'];
/** Counts of one row of a breakdown (provider, agent, actor). */
export type BreakdownCounts = Omit<Stats['byProvider'][number], 'provider'>;

/** A message naming the tenant that the ledger could not apply (`GET /v1/dead-letters`); never its payload. */
export type DeadLetter = Answer<'DeadLettersController_list'>['items'][number];
/** The answer of `POST /v1/dead-letters/replay`. */
export type ReplayAnswer = Answer<'DeadLettersController_replay'>;

export type VerifyResult = Answer<'IntegrityController_verify'>;

export type SessionSummary = Answer<'RecordsController_session'>;
/** Escalations of a session, as the session summary and an action's detail give them. */
export type SessionEscalations = SessionSummary['escalations'];
