import { randomUUID } from 'node:crypto';
import type { ActionEventInput } from '@agent-ledger/contracts';

// The data set of test/read-path/event-model-filters.e2e-spec.ts: actions whose typed fields and
// filterable values follow from their index, change events, and the messages and task lifecycle
// the SDK records. The test computes every expected answer from these values.

export interface SeededAction {
  actionId: string;
  tool: string;
  provider?: string;
  agentId: string;
  agentName: string;
  subjectId: string;
  taskId?: string;
  plan?: { planId: string; stepId: string };
  approvalId?: string;
  decisionMs?: number;
  outcome: 'executed' | 'failed' | 'open';
  durationMs?: number;
  errorMessage?: string;
}

const TOOLS = ['refund_order', 'crm.update_contact', 'send_email', 'search_docs'];
const PROVIDERS = ['stripe', 'hubspot', 'zendesk'];
// "50% Promo" holds a LIKE wildcard: q must take it literally.
const AGENT_NAMES = ['Billing Bot', 'Support Agent', 'Refund Helper', '50% Promo Bot'];
const ERRORS = ['Gateway Timeout from upstream', 'Card declined by issuer'];
export const base = Date.parse('2026-03-02T00:00:00Z');
export const iso = (ms: number) => new Date(ms).toISOString();

export function seedAction(suffix: string, i: number): SeededAction {
  const outcome = i % 4 === 0 ? 'failed' : i % 4 === 1 ? 'open' : 'executed';
  return {
    actionId: `act-${suffix}-${i}`,
    tool: TOOLS[i % 4],
    provider: i % 7 === 0 ? undefined : PROVIDERS[i % 3],
    agentId: `agent-${i % 5}`,
    agentName: AGENT_NAMES[i % 4],
    subjectId: `cus-${i % 6}`,
    taskId: i % 6 === 0 ? undefined : `task-${i % 4}`,
    plan: i % 2 === 0 ? { planId: `plan-${i % 3}`, stepId: `step-${i}` } : undefined,
    approvalId: i % 5 === 0 ? `apr-${i}` : undefined,
    decisionMs: i % 5 === 0 ? i * 10 + 0.4 : undefined,
    outcome,
    // Durations repeat (ties are ordered by seq); failures carry one only every other time.
    durationMs: outcome === 'executed' || (outcome === 'failed' && i % 8 === 0) ? (i % 23) * 100.5 : undefined,
    errorMessage: outcome === 'failed' ? ERRORS[(i / 4) % 2] : undefined,
  };
}

export function eventsOf(a: SeededAction): ActionEventInput[] {
  const i = Number(a.actionId.split('-').at(-1));
  const common = {
    actionId: a.actionId,
    sessionId: `sess-${i % 9}`,
    agent: { id: a.agentId, name: a.agentName },
    actor: { type: 'agent' as const, id: a.agentId },
    tool: { name: a.tool, ...(a.provider ? { provider: a.provider } : {}), riskLevel: 'moderate' as const },
    subject: { id: a.subjectId },
    ...(a.taskId ? { taskId: a.taskId } : {}),
    ...(a.plan ? { plan: a.plan } : {}),
  };
  const at = (n: number) => iso(base + i * 60_000 + n * 1_000);
  const out: ActionEventInput[] = [
    { ...common, eventId: randomUUID(), type: 'action.attempted', occurredAt: at(0), input: { n: i }, approval: { required: !!a.approvalId, ...(a.approvalId ? { approvalId: a.approvalId } : {}) } },
  ];
  if (a.approvalId) {
    out.push({ ...common, eventId: randomUUID(), type: 'action.confirmed', occurredAt: at(1), approval: { required: true, decision: 'approved', approvedBy: 'lead', approvalId: a.approvalId, decisionMs: a.decisionMs } });
  }
  const timing = a.durationMs !== undefined ? { durationMs: a.durationMs } : {};
  if (a.outcome === 'executed') out.push({ ...common, eventId: randomUUID(), type: 'action.executed', occurredAt: at(2), output: { ok: true }, ...timing });
  if (a.outcome === 'failed') out.push({ ...common, eventId: randomUUID(), type: 'action.failed', occurredAt: at(2), error: { message: a.errorMessage! }, ...timing });
  return out;
}

export function changeEvents(): ActionEventInput[] {
  const change = (id: string, before: unknown, after: unknown): ActionEventInput => ({
    eventId: randomUUID(),
    type: 'change.recorded',
    actor: { type: 'user', id: 'admin' },
    resource: { type: 'widget', id },
    changes: { before, after },
  });
  return [change('w1', null, { v: 1 }), change('w2', null, { v: 1 }), change('w1', { v: 1 }, { v: 2 }), change('w2', { v: 1 }, null), change('w3', null, { v: 3 })];
}

export function sdkEvents(): ActionEventInput[] {
  const out: ActionEventInput[] = [];
  for (let t = 0; t < 4; t++) {
    const taskId = `task-${t}`;
    const plan = { planId: `plan-${t % 3}`, stepId: `t-step-${t}`, parentPlanId: 'plan-root' };
    const at = (n: number) => iso(base - 3_600_000 + t * 60_000 + n * 1_000);
    out.push({ eventId: randomUUID(), type: 'task.queued', taskId, sessionId: `sess-${t}`, plan, occurredAt: at(0) });
    out.push({ eventId: randomUUID(), type: 'message.recorded', taskId, sessionId: `sess-${t}`, occurredAt: at(1), message: { role: 'user', content: `Please handle order ${t}, "quoted", with a comma`, tokens: 9 + t, model: 'model-a' } });
    out.push({ eventId: randomUUID(), type: 'message.recorded', taskId, sessionId: `sess-${t}`, occurredAt: at(2), message: { role: t % 2 ? 'agent' : 'tool', content: `Done\nline two ${t}` } });
    if (t === 3) out.push({ eventId: randomUUID(), type: 'task.failed', taskId, sessionId: `sess-${t}`, plan, occurredAt: at(3), error: { message: 'Task timeout after 30 s' }, budget: { used: 5.25, limit: 5, unit: 'usd' } });
    else out.push({ eventId: randomUUID(), type: 'task.completed', taskId, sessionId: `sess-${t}`, plan, occurredAt: at(3), durationMs: 1_500 + t, budget: { used: 0.42 + t, limit: 5, unit: 'usd' } });
  }
  return out;
}
