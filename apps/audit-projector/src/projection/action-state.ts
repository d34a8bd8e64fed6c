import type { ActionAnomalyCode, ActionEvent, ActionType, ApprovalDecision } from '@agent-ledger/contracts';
import { storableText } from '@agent-ledger/integrity';

/**
 * The convergent state machine behind the `actions` projection.
 *
 * An action's state is a function of the SET of its events, never of their arrival order: the
 * stored merge state keeps, per lifecycle type, one chosen event summary (picked by a total order,
 * so picking is commutative, associative and idempotent) plus the set of approval decisions seen.
 * Every `actions` column is derived from that state. Hence any permutation of the same events,
 * merged in any batches, ends in the same row.
 */

/** What the projection keeps of one lifecycle event (no PII: no subject.pii, no actor.ip). */
export interface ActionEventSummary {
  eventId: string;
  type: ActionType;
  /** RFC 3339 UTC with milliseconds, so strings order like instants. */
  occurredAt: string;
  sessionId?: string;
  agent?: { id: string; name: string };
  actor?: { type: string; id: string };
  tool?: { name: string; provider?: string; riskLevel: string };
  approval?: { required: boolean; decision?: ApprovalDecision; approvedBy?: string; approvalId?: string; decisionMs?: number; argsHash?: string };
  /** SHA-256 of the input that ran (`action.executed`), compared with the confirmed `approval.argsHash`. */
  inputHash?: string;
  durationMs?: number;
  error?: { message: string; code?: string };
  subjectId?: string;
  taskId?: string;
  plan?: { planId: string; stepId?: string };
}

/** `actions.projection_state`. */
export interface ActionState {
  v: 1;
  stages: Partial<Record<ActionType, ActionEventSummary>>;
  /** Every approval decision carried by any event of the action, sorted, distinct. */
  decisions: ApprovalDecision[];
  firstEventAt: string;
  lastEventAt: string;
  eventCount: number;
}

export interface ActionAnomaly {
  code: ActionAnomalyCode;
  description: string;
}

export type ActionStatus = 'attempted' | 'confirmed' | 'executed' | 'failed' | 'cancelled';

/** The `actions` columns (besides tenant, action id and updated_at). */
export interface ActionRow {
  status: ActionStatus;
  sessionId: string | null;
  agentId: string | null;
  agentName: string | null;
  actorType: string | null;
  actorId: string | null;
  toolName: string | null;
  toolProvider: string | null;
  riskLevel: string | null;
  approvalRequired: boolean | null;
  approvalDecision: string | null;
  approvedBy: string | null;
  attemptedAt: string | null;
  confirmedAt: string | null;
  executedAt: string | null;
  failedAt: string | null;
  cancelledAt: string | null;
  firstEventAt: string;
  lastEventAt: string;
  durationMs: number | null;
  errorMessage: string | null;
  errorCode: string | null;
  subjectId: string | null;
  eventCount: number;
  anomaly: boolean;
  anomalies: ActionAnomaly[];
  taskId: string | null;
  planId: string | null;
  stepId: string | null;
  approvalId: string | null;
  /** `approval.decisionMs` of the decisive approval, whole milliseconds; null beyond a 32-bit integer. */
  approvalDecisionMs: number | null;
}

const MAX_INT4 = 2_147_483_647;

const TERMINALS = ['action.executed', 'action.failed', 'action.cancelled'] as const;
/** Which stage a field is taken from first. */
const DESCRIPTIVE_ORDER: ActionType[] = ['action.attempted', 'action.confirmed', 'action.executed', 'action.failed', 'action.cancelled'];
/** Approval comes from the decisive stage first (architecture: approval fields from attempted/confirmed/cancelled). */
const APPROVAL_ORDER: ActionType[] = ['action.cancelled', 'action.confirmed', 'action.attempted'];
const REJECTING: ApprovalDecision[] = ['rejected', 'expired'];
const GRANTING: ApprovalDecision[] = ['approved', 'auto'];

const s = (v: string | undefined): string | undefined => (v === undefined ? undefined : storableText(v));

/** The summary of one validated lifecycle event (`occurredAt` normalized by the caller's derive step). */
export function summarize(event: ActionEvent & { type: ActionType }, occurredAtIso: string): ActionEventSummary {
  const out: ActionEventSummary = { eventId: event.eventId, type: event.type, occurredAt: occurredAtIso };
  if (event.sessionId !== undefined) out.sessionId = s(event.sessionId);
  if (event.agent) out.agent = { id: storableText(event.agent.id), name: storableText(event.agent.name) };
  if (event.actor) out.actor = { type: event.actor.type, id: storableText(event.actor.id) };
  if (event.tool) out.tool = { name: storableText(event.tool.name), provider: s(event.tool.provider), riskLevel: event.tool.riskLevel };
  if (event.approval) {
    const { required, decision, approvedBy, approvalId, decisionMs, argsHash } = event.approval;
    out.approval = { required, decision, approvedBy: s(approvedBy), approvalId: s(approvalId), decisionMs, argsHash };
  }
  if (event.inputHash !== undefined) out.inputHash = event.inputHash;
  if (event.durationMs !== undefined) out.durationMs = event.durationMs;
  if (event.error) out.error = { message: storableText(event.error.message), code: s(event.error.code) };
  if (event.subject) out.subjectId = storableText(event.subject.id);
  if (event.taskId !== undefined) out.taskId = storableText(event.taskId);
  if (event.plan) out.plan = { planId: storableText(event.plan.planId), stepId: s(event.plan.stepId) };
  return withoutUndefined(out);
}

/** The summary without members whose value is undefined, as it reads back from jsonb (nested one level: agent, tool, approval, error, plan). */
function withoutUndefined(summary: ActionEventSummary): ActionEventSummary {
  const record = summary as unknown as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (value === undefined) delete record[key];
    else if (typeof value === 'object' && value !== null) {
      const nested = value as Record<string, unknown>;
      for (const k of Object.keys(nested)) if (nested[k] === undefined) delete nested[k];
    }
  }
  return summary;
}

/** Total order used to pick one event per stage: the first attempt, the last of any other stage. */
function preferred(type: ActionType, a: ActionEventSummary, b: ActionEventSummary): ActionEventSummary {
  const cmp = a.occurredAt === b.occurredAt ? (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0) : a.occurredAt < b.occurredAt ? -1 : 1;
  if (type === 'action.attempted') return cmp <= 0 ? a : b;
  return cmp >= 0 ? a : b;
}

/** Merges one new event into the state (undefined = the action is new). Pure; does not mutate. */
export function mergeActionEvent(state: ActionState | undefined, e: ActionEventSummary): ActionState {
  const stages = { ...(state?.stages ?? {}) };
  const current = stages[e.type];
  stages[e.type] = current ? preferred(e.type, current, e) : e;
  const decisions = new Set(state?.decisions ?? []);
  if (e.approval?.decision) decisions.add(e.approval.decision);
  return {
    v: 1,
    stages,
    decisions: [...decisions].sort(),
    firstEventAt: state && state.firstEventAt < e.occurredAt ? state.firstEventAt : e.occurredAt,
    lastEventAt: state && state.lastEventAt > e.occurredAt ? state.lastEventAt : e.occurredAt,
    eventCount: (state?.eventCount ?? 0) + 1,
  };
}

/** The `actions` columns derived from the state. */
export function deriveActionRow(state: ActionState): ActionRow {
  const st = state.stages;
  const present = DESCRIPTIVE_ORDER.map((t) => st[t]).filter((x): x is ActionEventSummary => !!x);
  const first = <T>(pick: (e: ActionEventSummary) => T | undefined): T | null => {
    for (const e of present) {
      const v = pick(e);
      if (v !== undefined) return v;
    }
    return null;
  };
  const terminals = TERMINALS.filter((t) => st[t]);
  const status: ActionStatus = terminals.length
    ? (terminals[0].slice('action.'.length) as ActionStatus) // executed > failed > cancelled
    : st['action.confirmed']
      ? 'confirmed'
      : 'attempted';

  const approvalSources = APPROVAL_ORDER.map((t) => st[t]?.approval).filter((a): a is NonNullable<ActionEventSummary['approval']> => !!a);
  const approval = approvalSources.find((a) => a.decision !== undefined) ?? approvalSources[0];
  const decisionMs = approval?.decisionMs ?? approvalSources.find((a) => a.decisionMs !== undefined)?.decisionMs;
  const roundedDecisionMs = decisionMs === undefined ? null : Math.round(decisionMs);

  const executed = st['action.executed'];
  const failed = st['action.failed'];
  const anomalies = deriveAnomalies(state, terminals);
  return {
    status,
    sessionId: first((e) => e.sessionId),
    agentId: first((e) => e.agent?.id),
    agentName: first((e) => e.agent?.name),
    actorType: first((e) => e.actor?.type),
    actorId: first((e) => e.actor?.id),
    toolName: first((e) => e.tool?.name),
    toolProvider: first((e) => e.tool?.provider),
    riskLevel: first((e) => e.tool?.riskLevel),
    approvalRequired: approval?.required ?? null,
    approvalDecision: approval?.decision ?? null,
    approvedBy: approval?.approvedBy ?? null,
    attemptedAt: st['action.attempted']?.occurredAt ?? null,
    confirmedAt: st['action.confirmed']?.occurredAt ?? null,
    executedAt: executed?.occurredAt ?? null,
    failedAt: failed?.occurredAt ?? null,
    cancelledAt: st['action.cancelled']?.occurredAt ?? null,
    firstEventAt: state.firstEventAt,
    lastEventAt: state.lastEventAt,
    durationMs: executed?.durationMs ?? failed?.durationMs ?? null,
    errorMessage: failed?.error?.message ?? null,
    errorCode: failed?.error?.code ?? null,
    subjectId: first((e) => e.subjectId),
    eventCount: state.eventCount,
    anomaly: anomalies.length > 0,
    anomalies,
    taskId: first((e) => e.taskId),
    planId: first((e) => e.plan?.planId),
    stepId: first((e) => e.plan?.stepId),
    approvalId: approval?.approvalId ?? approvalSources.find((a) => a.approvalId !== undefined)?.approvalId ?? null,
    approvalDecisionMs: roundedDecisionMs !== null && roundedDecisionMs <= MAX_INT4 ? roundedDecisionMs : null,
  };
}

/**
 * The anomalies of an action, from the set of its events only (so in any arrival order the same):
 * each code of ACTION_ANOMALY_CODES (libs/contracts vocabulary) at most once, in a fixed order.
 */
function deriveAnomalies(state: ActionState, terminals: readonly ActionType[]): ActionAnomaly[] {
  const st = state.stages;
  const executed = st['action.executed'];
  const anomalies: ActionAnomaly[] = [];
  if (terminals.length > 1) {
    anomalies.push({ code: 'conflicting_outcomes', description: `conflicting outcomes recorded: ${terminals.join(' and ')}` });
  }
  const rejected = state.decisions.filter((d) => REJECTING.includes(d));
  const granted = state.decisions.filter((d) => GRANTING.includes(d));
  if (rejected.length && st['action.failed']) {
    anomalies.push({ code: 'ran_after_rejection', description: `action.failed recorded although the approval was ${rejected.join(' and ')}` });
  }
  if (rejected.length && granted.length) {
    anomalies.push({ code: 'conflicting_approvals', description: `approval was both ${granted.join('/')} and ${rejected.join('/')}` });
  }
  if (!executed) return anomalies;
  const approvedHash = st['action.confirmed']?.approval?.argsHash;
  if (approvedHash !== undefined && executed.inputHash !== undefined && approvedHash !== executed.inputHash) {
    anomalies.push({
      code: 'approval_mismatch',
      description: `the executed input (inputHash ${executed.inputHash.slice(0, 12)}…) is not the approved one (argsHash ${approvedHash.slice(0, 12)}…)`,
    });
  }
  const required = Object.values(st).some((e) => e?.approval?.required === true);
  if (required && !granted.length && !rejected.length) {
    anomalies.push({ code: 'unapproved_execution', description: 'action.executed recorded although an approval was required and none was granted' });
  }
  if (rejected.length) {
    anomalies.push({ code: 'executed_after_rejection', description: `action.executed recorded although the approval was ${rejected.join(' and ')}` });
  }
  return anomalies;
}

/** Reads `actions.projection_state` back (null for an action not seen before). */
export function parseActionState(value: unknown): ActionState | undefined {
  if (value === null || value === undefined) return undefined;
  const v = (typeof value === 'string' ? JSON.parse(value) : value) as ActionState;
  if (v.v !== 1) throw new Error(`unknown actions.projection_state version ${String((v as { v?: unknown }).v)}`);
  return v;
}
