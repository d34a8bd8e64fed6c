import { randomUUID } from 'node:crypto';
import { actionEventKey, type ActionEvent, type ActionEventInput, type RiskLevel } from '@agent-ledger/contracts';

const AGENT = { id: 'bench-agent', name: 'Benchmark agent', version: '1.0.0' };
const LOAD_TOOLS: { name: string; provider: string; riskLevel: RiskLevel }[] = [
  { name: 'lookup_order', provider: 'shop', riskLevel: 'safe' },
  { name: 'send_email', provider: 'mailer', riskLevel: 'moderate' },
  { name: 'update_crm', provider: 'crm', riskLevel: 'moderate' },
  { name: 'write_file', provider: 'files', riskLevel: 'safe' },
];

/**
 * Event i of a load: pairs of `action.attempted` then `action.executed` of one action (tools whose
 * risk triggers no escalation rule), as an agent reports a tool call and its result.
 */
export function loadEventInput(run: string, i: number): ActionEventInput {
  const a = i >> 1;
  const tool = LOAD_TOOLS[a % LOAD_TOOLS.length];
  const common = {
    eventId: randomUUID(),
    actionId: `${run}-a${a}`,
    sessionId: `${run}-s${a % 997}`,
    occurredAt: new Date().toISOString(),
    agent: AGENT,
    actor: { type: 'agent' as const, id: AGENT.id },
    tool,
  };
  return i % 2 === 0
    ? { ...common, type: 'action.attempted', input: { orderId: `A-${a}`, amount: a % 500, note: 'benchmark load' }, approval: { required: false, decision: 'not_required' } }
    : { ...common, type: 'action.executed', output: { ok: true, reference: `R-${a}` }, durationMs: 20 + (a % 400) };
}

/** The event as ingest publishes it (tenant and receivedAt stamped), with its Kafka key. */
export function stamped(tenantId: string, input: ActionEventInput): { event: ActionEvent; key: string } {
  const receivedAt = new Date().toISOString();
  const event = { ...input, tenantId, receivedAt, occurredAt: input.occurredAt ?? receivedAt } as ActionEvent;
  return { event, key: actionEventKey(tenantId, event) };
}

const PLAIN_TOOLS: { name: string; provider: string; riskLevel: RiskLevel }[] = [...LOAD_TOOLS, { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' }];
const GUARDED_TOOLS: { name: string; provider: string; riskLevel: RiskLevel }[] = [
  { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' },
  { name: 'cancel_subscription', provider: 'billing', riskLevel: 'destructive' },
  { name: 'wire_money', provider: 'bank', riskLevel: 'critical' },
];
export const QUERY_TOOLS = [...new Set([...PLAIN_TOOLS, ...GUARDED_TOOLS].map((t) => t.name))];

/** Average number of events per action of {@link seedAction}. */
export const SEED_EVENTS_PER_ACTION = 2.05;

/**
 * The events of action number `a` of the query data set: 60% attempted → executed, 15% attempted →
 * failed (safe or moderate tools), 10% approved and executed, 10% rejected, 5% attempted only; six
 * agents, a thousand actors, sessions of four actions days apart, occurredAt spread evenly from `start`
 * with `stepMs` between actions. Chosen so that the data set opens no escalation.
 */
export function seedAction(tenantId: string, a: number, start: number, stepMs: number): { key: string; value: string }[] {
  const kind = a % 20;
  const t0 = start + a * stepMs;
  const at = (step: number) => new Date(t0 + step * 1_500).toISOString();
  const base = {
    tenantId,
    actionId: `q-${a}`,
    sessionId: `qs-${a % 100_000}`,
    agent: { id: `agent-${a % 6}`, name: `Agent ${a % 6}` },
    actor: { type: 'agent' as const, id: `user-${a % 1_000}` },
    receivedAt: at(0),
  };
  const events: Partial<ActionEvent>[] = [];
  if (kind < 12) {
    const tool = PLAIN_TOOLS[Math.floor(a / 20) % PLAIN_TOOLS.length];
    events.push({ type: 'action.attempted', tool, occurredAt: at(0), input: { ref: `r-${a}` }, approval: { required: false, decision: 'not_required' } });
    events.push({ type: 'action.executed', tool, occurredAt: at(1), output: { ok: true }, durationMs: 20 + ((a * 7919) % 2_000) });
  } else if (kind < 15) {
    const tool = LOAD_TOOLS[Math.floor(a / 20) % LOAD_TOOLS.length];
    events.push({ type: 'action.attempted', tool, occurredAt: at(0), input: { ref: `r-${a}` } });
    events.push({ type: 'action.failed', tool, occurredAt: at(1), error: { message: 'upstream refused', code: 'E_UPSTREAM' }, durationMs: 50 + (a % 900) });
  } else if (kind < 17) {
    const tool = GUARDED_TOOLS[Math.floor(a / 20) % GUARDED_TOOLS.length];
    events.push({ type: 'action.attempted', tool, occurredAt: at(0), input: { ref: `r-${a}` }, approval: { required: true } });
    events.push({ type: 'action.confirmed', tool, occurredAt: at(1), approval: { required: true, decision: 'approved', approvedBy: `lead-${a % 10}@example.com` } });
    events.push({ type: 'action.executed', tool, occurredAt: at(2), approval: { required: true, decision: 'approved' }, output: { ok: true }, durationMs: 100 + ((a * 31) % 3_000) });
  } else if (kind < 19) {
    const tool = GUARDED_TOOLS[Math.floor(a / 20) % GUARDED_TOOLS.length];
    events.push({ type: 'action.attempted', tool, occurredAt: at(0), input: { ref: `r-${a}` }, approval: { required: true } });
    events.push({ type: 'action.cancelled', tool, occurredAt: at(1), approval: { required: true, decision: 'rejected', approvedBy: `lead-${a % 10}@example.com` } });
  } else {
    events.push({ type: 'action.attempted', tool: LOAD_TOOLS[0], occurredAt: at(0), input: { ref: `r-${a}` }, approval: { required: false, decision: 'not_required' } });
  }
  return events.map((e) => {
    const event = { eventId: randomUUID(), ...base, ...e } as ActionEvent;
    return { key: actionEventKey(tenantId, event), value: JSON.stringify(event) };
  });
}
