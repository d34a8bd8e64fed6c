import { actionEventKey, SIGNAL_TYPES, type ActionEvent, type EventType } from '@agent-ledger/contracts';
import { anActionEvent } from '@agent-ledger/testing';

export interface Workload {
  /** What is produced: 90% distinct events, 10% re-deliveries of them, shuffled. */
  messages: { key: string; value: string }[];
  distinct: ActionEvent[];
  expectedActions: Record<string, { status: string; anomaly: boolean; eventCount: number }>;
}

/**
 * `actions` actions through five lifecycles (two of them anomalous), padded with signals of the same
 * sessions to 1,800 distinct events, each tenth re-sent: 2,000 messages for 200 actions, shuffled.
 */
export function buildWorkload(tenantId: string, actions: number, piiMarker: string, ipPrefix: string): Workload {
  const distinct: ActionEvent[] = [];
  const expectedActions: Workload['expectedActions'] = {};
  const base = Date.now() - 3_600_000;
  const at = (i: number, step: number) => new Date(base + i * 1_000 + step * 10).toISOString();
  const required = { required: true } as const;
  const lifecycles: { steps: [EventType, Partial<ActionEvent>][]; status: string; anomaly: boolean }[] = [
    { steps: [['action.attempted', { approval: required }], ['action.confirmed', { approval: { required: true, decision: 'approved', approvedBy: 'lead@example.com' } }], ['action.executed', {}]], status: 'executed', anomaly: false },
    { steps: [['action.attempted', {}], ['action.failed', {}]], status: 'failed', anomaly: false },
    { steps: [['action.attempted', { approval: required }], ['action.cancelled', { approval: { required: true, decision: 'rejected' } }]], status: 'cancelled', anomaly: false },
    { steps: [['action.attempted', {}], ['action.confirmed', {}], ['action.executed', {}], ['action.cancelled', {}]], status: 'executed', anomaly: true },
    { steps: [['action.attempted', { approval: required }], ['action.cancelled', { approval: { required: true, decision: 'rejected' } }], ['action.executed', {}]], status: 'executed', anomaly: true },
  ];
  for (let i = 0; i < actions; i++) {
    const actionId = `act-${i}`;
    const sessionId = `sess-${i}`;
    const life = lifecycles[i % lifecycles.length];
    life.steps.forEach(([type, extra], step) => {
      const pii = type === 'action.attempted';
      distinct.push(
        anActionEvent(tenantId, {
          type,
          actionId,
          sessionId,
          occurredAt: at(i, step),
          ...(pii
            ? { subject: { id: `cust-${i % 40}`, pii: { email: `${piiMarker}-${i}@example.com`, name: `Jane ${piiMarker}` } }, actor: { type: 'user', id: `user-${i % 15}`, ip: `${ipPrefix}::${(i + 1).toString(16)}` } }
            : {}),
          ...extra,
        }),
      );
    });
    expectedActions[actionId] = { status: life.status, anomaly: life.anomaly, eventCount: life.steps.length };
  }
  for (let n = 0; distinct.length < 1_800; n++) {
    const i = n % actions;
    const type: EventType = n % 7 === 6 ? 'change.recorded' : SIGNAL_TYPES[n % SIGNAL_TYPES.length];
    const event = anActionEvent(tenantId, { type, sessionId: `sess-${i}`, occurredAt: at(i, 9) });
    delete (event as Partial<ActionEvent>).actionId;
    distinct.push(event);
  }
  const messageOf = (e: ActionEvent) => ({ key: actionEventKey(tenantId, e), value: JSON.stringify(e) });
  const messages = distinct.map(messageOf);
  for (let i = 0; i < 200; i++) messages.push(messageOf(distinct[(i * 9) % distinct.length]));
  for (let i = messages.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [messages[i], messages[j]] = [messages[j], messages[i]];
  }
  return { messages, distinct, expectedActions };
}
