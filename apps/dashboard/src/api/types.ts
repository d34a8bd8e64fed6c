/** Shapes of the audit API's answers, as the dashboard reads them (see docs/dashboard.md). */

export type ActionStatus = 'attempted' | 'confirmed' | 'executed' | 'failed' | 'cancelled';

export interface Action {
  actionId: string;
  status: ActionStatus | string;
  sessionId: string | null;
  agent: { id: string; name: string | null } | null;
  actor: { type: string | null; id: string } | null;
  tool: { name: string; provider: string | null; riskLevel: string | null } | null;
  approval: { required: boolean | null; decision: string | null; approvedBy: string | null; approvalId?: string | null; decisionMs?: number | null } | null;
  taskId?: string | null;
  plan?: { planId: string; stepId: string | null } | null;
  stages: { attemptedAt: string | null; confirmedAt: string | null; executedAt: string | null; failedAt: string | null; cancelledAt: string | null };
  firstEventAt: string | null;
  lastEventAt: string | null;
  durationMs: number | null;
  error: { message: string; code: string | null } | null;
  subjectId: string | null;
  eventCount: number;
  anomaly: boolean;
  anomalies: unknown;
}

export interface TimelineEntry {
  eventId: string;
  type: string;
  occurredAt: string | null;
  receivedAt: string | null;
  recordedAt: string | null;
  approval: { required?: boolean; decision?: string; approvedBy?: string; method?: string; decisionMs?: number } | null;
  durationMs: number | null;
  error: { message?: string; code?: string } | null;
  /** JSON pointers of redacted values. */
  redacted: string[];
  event: Record<string, unknown>;
}

export interface ActionDetail extends Action {
  timeline: TimelineEntry[];
  sessionEscalations?: SessionEscalations;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A stored event as the stream and the events list give it. */
export interface StoredEvent {
  eventId: string;
  recordedAt: string | null;
  chain?: { partition: number; seq: string; hash: string };
  event: Record<string, unknown> & { type?: string; actionId?: string; sessionId?: string; tool?: { name?: string } };
}

/** Durations of a set of actions (ms); null when none reported one. */
export interface DurationFigures {
  n: number;
  avgMs: number | null;
  minMs: number | null;
  maxMs: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

/** Counts of one row of a breakdown (provider, agent, actor). */
export interface BreakdownCounts {
  total: number;
  executed: number;
  failed: number;
  avgDurationMs: number | null;
}

/** `GET /v1/stats` (docs/statistics.md). */
export interface Stats {
  window: { from: string; to: string; bucket: string };
  totals: { actions: number; byStatus: Record<string, number>; events?: number };
  /** executed / all actions of the window. */
  successRate: number | null;
  /** executed / (executed + failed). */
  successRateOfFinished?: number | null;
  byTool: { tool: string | null; total: number; executed: number; failed: number; cancelled: number }[];
  byProvider?: ({ provider: string | null } & BreakdownCounts)[];
  byAgent?: ({ agentId: string | null; agentName: string | null } & BreakdownCounts)[];
  byActor?: ({ actorType: string | null; actorId: string | null } & BreakdownCounts)[];
  byRiskLevel: Record<string, number>;
  approvals: Record<string, number | { n: number; avgMs: number | null; p50Ms: number | null; p95Ms: number | null; maxMs: number | null }>;
  duration?: DurationFigures;
  durations: ({ tool: string | null } & Partial<DurationFigures> & { n: number; p50: number | null; p95: number | null; p99: number | null })[];
  failures?: { tool: string | null; errorCode: string | null; n: number }[];
  signals?: Record<string, number>;
  eventsByType?: Record<string, number>;
  series: { t: string; actions: number; executed: number; failed: number }[];
  /** Dead letters naming the tenant: dead-lettered in the window, and not replayed yet (any time). */
  deadLetters?: { inWindow: number; unreplayed: number };
}

/** A message naming the tenant that the ledger could not apply (`GET /v1/dead-letters`); never its payload. */
export interface DeadLetter {
  id: string;
  consumerGroup: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  eventId: string | null;
  eventType: string | null;
  errorClass: string;
  reasonCode: string;
  reason: string;
  valueBytes: number;
  replayable: boolean;
  deadLetteredAt: string;
  replayedAt: string | null;
  replayCount: number;
}

/** The answer of `POST /v1/dead-letters/replay`. */
export interface ReplayAnswer {
  replayed: number;
  skipped: { id: string; reason: string }[];
  remaining: number;
}

export interface VerifyResult {
  /** True only when status is ok. */
  ok: boolean;
  /** ok: every row verifies and is signed; unverified: nothing failed but rows are not signed yet (or a checkpoint source was unreadable); failed. */
  status?: 'ok' | 'unverified' | 'failed';
  eventsChecked: number;
  checkpointsChecked: number;
  uncovered?: { partition: number; fromSeq: string; toSeq: string; events: number }[];
  unverifiedReasons?: string[];
  /** Seconds since the newest signed checkpoint; null without one. */
  newestCheckpointAge?: number | null;
  chains?: { partition: number; events: number }[];
  lastCheckpoint?: { checkpointId: string; createdAt: string } | null;
  firstFailure?: { kind: string; partition?: number; chainSeq?: string | number; eventId?: string; checkpointId?: string; reason?: string };
  failures?: unknown[];
}

/** Escalations of a session, as the session summary and an action's detail give them. */
export interface SessionEscalations {
  open: number;
  acknowledged: number;
  resolved: number;
  /** Not yet resolved; each an escalation as `GET /v1/escalations` lists it. */
  active: unknown[];
}

export interface SessionSummary {
  sessionId: string;
  actions: number;
  events: number;
  byStatus: Record<string, number>;
  byRiskLevel: Record<string, number>;
  byApprovalDecision: Record<string, number>;
  totalDurationMs: number | null;
  anomalies: number;
  firstEventAt: string | null;
  lastEventAt: string | null;
  escalations?: SessionEscalations;
}
