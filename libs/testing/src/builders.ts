import { randomUUID } from 'node:crypto';
import type { ActionEvent, ActionEventInput, EventType } from '@agent-ledger/contracts';

/** An event as an agent submits it (no tenant, no receivedAt); override any field. */
export function anActionEventInput(overrides: Partial<ActionEventInput> & { type?: EventType } = {}): ActionEventInput {
  const type = overrides.type ?? 'action.attempted';
  const base: Record<string, unknown> = {
    eventId: randomUUID(),
    type,
    sessionId: 'session-1',
    occurredAt: new Date().toISOString(),
    agent: { id: 'support-bot', name: 'Support bot', version: '1.0.0' },
    actor: { type: 'agent', id: 'support-bot' },
    tool: { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' },
  };
  if (type.startsWith('action.')) base.actionId = `action-${randomUUID()}`;
  if (type === 'action.attempted') {
    base.input = { orderId: 'A-1001', amount: 25 };
    base.approval = { required: false, decision: 'not_required' };
  }
  if (type === 'action.failed') base.error = { message: 'upstream refused', code: 'E_UPSTREAM' };
  if (type === 'action.executed') {
    base.output = { ok: true };
    base.durationMs = 120;
  }
  if (type === 'change.recorded') {
    base.resource = { type: 'escalation_rule', id: 'rule-1' };
    base.changes = { before: { enabled: false }, after: { enabled: true } };
  }
  if (type.startsWith('task.')) base.taskId = `task-${randomUUID()}`;
  if (type === 'task.failed') base.error = { message: 'task timed out', code: 'E_TIMEOUT' };
  if (type === 'message.recorded') base.message = { role: 'user', content: 'Please refund order A-1001' };
  return { ...base, ...overrides } as ActionEventInput;
}

/** A stored event as the topic carries it (tenant and receivedAt stamped). */
export function anActionEvent(tenantId: string, overrides: Partial<ActionEvent> & { type?: EventType } = {}): ActionEvent {
  const receivedAt = new Date().toISOString();
  return { ...anActionEventInput(overrides as Partial<ActionEventInput>), tenantId, receivedAt, ...overrides } as ActionEvent;
}
