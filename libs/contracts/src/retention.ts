/**
 * The retention API's answers (`GET`/`PUT /v1/retention`, `/v1/retention/runs`), as audit-api sends
 * them and the CLI and the dashboard read them (docs/retention.md). Types only: the dashboard
 * includes this file as it is.
 */

export type RetentionPurgeState = 'planned' | 'archived' | 'recorded' | 'purged';

export interface RetentionPolicyView {
  retainFor: string;
  archive: boolean;
  legalHold: boolean;
  updatedAt: string | null;
  /** True while the tenant never set a policy (the values are the defaults). */
  default: boolean;
}

/** Where a purge's rows were archived. */
export interface RetentionArchiveView {
  location: string;
  object: string;
  manifest: string;
  sha256: string;
  bytes: number;
}

export interface RetentionPurgeView {
  purgeId: string;
  ordinal: number;
  state: RetentionPurgeState;
  events: number;
  horizon: string;
  recordedFrom: string | null;
  recordedTo: string | null;
  createdAt: string;
  purgedAt: string | null;
  archive: RetentionArchiveView | null;
}

export interface RetentionView {
  policy: RetentionPolicyView;
  /** The end of the newest purged period: queries with `from` before it answer 409 (null: never purged). */
  horizon: string | null;
  /** The newest purges first (at most 20). */
  purges: RetentionPurgeView[];
}

/** `PUT /v1/retention`: only the fields to change. */
export interface RetentionChange {
  retainFor?: string;
  archive?: boolean;
  legalHold?: boolean;
}

export type RetentionRunState = 'queued' | 'running' | 'completed' | 'failed';
export type RetentionOutcome = 'purged' | 'nothing_to_purge' | 'legal_hold' | 'busy';

/** What a tenant's retention run did (the retention worker's job result). */
export interface RetentionRunResult {
  tenantId: string;
  outcome: RetentionOutcome;
  purgeId?: string;
  ordinal?: number;
  events?: number;
  archive?: (RetentionArchiveView & { manifestSha256?: string }) | null;
  deleted?: { events: number; actions: number; escalations: number; deliveries: number };
}

/** `POST /v1/retention/runs` and `GET /v1/retention/runs/:runId`. */
export interface RetentionRunView {
  runId: string;
  state: RetentionRunState;
  result?: RetentionRunResult;
  error?: string;
}
