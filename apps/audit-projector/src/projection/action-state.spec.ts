import { randomUUID } from 'node:crypto';
import type { ActionEvent, ActionType } from '@agent-ledger/contracts';
import { deriveActionRow, mergeActionEvent, parseActionState, summarize, type ActionEventSummary, type ActionRow, type ActionState } from './action-state';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

function ev(type: ActionType, occurredAt: string, extra: Partial<ActionEvent> = {}): ActionEventSummary {
  const event = {
    eventId: randomUUID(),
    tenantId: TENANT,
    type,
    actionId: 'act-1',
    occurredAt,
    receivedAt: occurredAt,
    sessionId: 'sess-1',
    agent: { id: 'bot', name: 'Bot' },
    actor: { type: 'agent', id: 'bot', ip: '203.0.113.1' },
    tool: { name: 'refund_order', riskLevel: 'destructive' },
    subject: { id: 'cust-1', pii: { email: 'x@example.com' } },
    ...extra,
  } as ActionEvent & { type: ActionType };
  return summarize(event, new Date(occurredAt).toISOString());
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

/** Folds events one by one, storing and re-reading the state as jsonb would between merges. */
function project(events: ActionEventSummary[]): { state: ActionState; row: ActionRow } {
  let state: ActionState | undefined;
  for (const e of events) state = parseActionState(JSON.stringify(mergeActionEvent(state, e)));
  return { state: state!, row: deriveActionRow(state!) };
}

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

const t = (s: number) => new Date(Date.UTC(2026, 10, 22, 10, 0, s)).toISOString();

const scenarios: Record<string, { events: ActionEventSummary[]; expect: Partial<ActionRow> }> = {
  'approved and executed': {
    events: [
      ev('action.attempted', t(0), { approval: { required: true } }),
      ev('action.confirmed', t(5), { approval: { required: true, decision: 'approved', approvedBy: 'lead@example.com' } }),
      ev('action.executed', t(9), { durationMs: 120, output: { ok: true } }),
    ],
    expect: { status: 'executed', approvalRequired: true, approvalDecision: 'approved', approvedBy: 'lead@example.com', durationMs: 120, anomaly: false, eventCount: 3, attemptedAt: t(0), confirmedAt: t(5), executedAt: t(9), firstEventAt: t(0), lastEventAt: t(9) },
  },
  'failed': {
    events: [ev('action.attempted', t(0)), ev('action.failed', t(3), { error: { message: 'upstream refused', code: 'E_UP' }, durationMs: 40 })],
    expect: { status: 'failed', errorMessage: 'upstream refused', errorCode: 'E_UP', durationMs: 40, anomaly: false },
  },
  'approval rejected': {
    events: [ev('action.attempted', t(0), { approval: { required: true } }), ev('action.cancelled', t(7), { approval: { required: true, decision: 'rejected', approvedBy: 'lead@example.com' } })],
    expect: { status: 'cancelled', approvalDecision: 'rejected', cancelledAt: t(7), anomaly: false },
  },
  'executed and cancelled': {
    events: [ev('action.attempted', t(0)), ev('action.confirmed', t(1)), ev('action.executed', t(2), { durationMs: 5 }), ev('action.cancelled', t(3))],
    expect: { status: 'executed', anomaly: true, eventCount: 4 },
  },
  'executed after a rejected approval': {
    events: [
      ev('action.attempted', t(0), { approval: { required: true } }),
      ev('action.cancelled', t(4), { approval: { required: true, decision: 'rejected' } }),
      ev('action.executed', t(8), { durationMs: 9 }),
    ],
    expect: { status: 'executed', anomaly: true, approvalDecision: 'rejected', anomalies: [{ code: 'conflicting_outcomes', description: 'conflicting outcomes recorded: action.executed and action.cancelled' }, { code: 'executed_after_rejection', description: 'action.executed recorded although the approval was rejected' }] },
  },
  'failed after a rejected approval': {
    events: [ev('action.attempted', t(0), { approval: { required: true } }), ev('action.cancelled', t(4), { approval: { required: true, decision: 'expired' } }), ev('action.failed', t(8), { error: { message: 'x' } })],
    expect: { status: 'failed', anomalies: [{ code: 'conflicting_outcomes', description: 'conflicting outcomes recorded: action.failed and action.cancelled' }, { code: 'ran_after_rejection', description: 'action.failed recorded although the approval was expired' }] },
  },
  'executed with another input than the approved one': {
    events: [
      ev('action.attempted', t(0), { approval: { required: true } }),
      ev('action.confirmed', t(5), { approval: { required: true, decision: 'approved', argsHash: HASH_A } }),
      ev('action.executed', t(9), { inputHash: HASH_B }),
    ],
    expect: { status: 'executed', anomaly: true, anomalies: [{ code: 'approval_mismatch', description: `the executed input (inputHash ${HASH_B.slice(0, 12)}…) is not the approved one (argsHash ${HASH_A.slice(0, 12)}…)` }] },
  },
  'executed with the approved input': {
    events: [
      ev('action.attempted', t(0), { approval: { required: true } }),
      ev('action.confirmed', t(5), { approval: { required: true, decision: 'approved', argsHash: HASH_A } }),
      ev('action.executed', t(9), { inputHash: HASH_A }),
    ],
    expect: { status: 'executed', anomaly: false, anomalies: [] },
  },
  'executed while the required approval was never decided': {
    events: [ev('action.attempted', t(0), { approval: { required: true } }), ev('action.executed', t(9), { inputHash: HASH_A })],
    expect: { status: 'executed', anomalies: [{ code: 'unapproved_execution', description: 'action.executed recorded although an approval was required and none was granted' }] },
  },
  'retried attempts and failures with equal timestamps': {
    events: [
      ev('action.attempted', t(1)),
      ev('action.attempted', t(0)),
      ev('action.failed', t(5), { error: { message: 'first' } }),
      ev('action.failed', t(5), { error: { message: 'second' } }),
      ev('action.failed', t(2), { error: { message: 'early' } }),
    ],
    expect: { status: 'failed', attemptedAt: t(0), failedAt: t(5), anomaly: false, eventCount: 5, firstEventAt: t(0), lastEventAt: t(5) },
  },
};

describe('action state machine', () => {
  it.each(Object.entries(scenarios))('should end in the same state for every order when the events are "%s"', (_name, scenario) => {
    const orders = permutations(scenario.events);
    const reference = project(scenario.events);

    for (const order of orders) {
      const { state, row } = project(order);
      expect(row).toEqual(reference.row);
      expect(state).toEqual(reference.state);
    }
    expect(reference.row).toMatchObject(scenario.expect);
  });

  it('should describe each anomaly when outcomes or approvals conflict', () => {
    const { row } = project([
      ev('action.attempted', t(0), { approval: { required: true } }),
      ev('action.confirmed', t(1), { approval: { required: true, decision: 'approved' } }),
      ev('action.cancelled', t(2), { approval: { required: true, decision: 'rejected' } }),
      ev('action.executed', t(3)),
    ]);

    expect(row.anomalies).toEqual([
      { code: 'conflicting_outcomes', description: 'conflicting outcomes recorded: action.executed and action.cancelled' },
      { code: 'conflicting_approvals', description: 'approval was both approved and rejected' },
      { code: 'executed_after_rejection', description: 'action.executed recorded although the approval was rejected' },
    ]);
    expect(row.status).toBe('executed');
  });

  it('should keep a terminal status when an earlier stage arrives after it', () => {
    expect(project([ev('action.executed', t(9)), ev('action.attempted', t(0)), ev('action.confirmed', t(3))]).row.status).toBe('executed');
    expect(project([ev('action.confirmed', t(3)), ev('action.attempted', t(0))]).row.status).toBe('confirmed');
  });

  it('should summarize an event exactly as the summary reads back from jsonb when optional fields are absent', () => {
    const summary = ev('action.attempted', t(0), { approval: { required: true }, tool: { name: 'refund_order', riskLevel: 'destructive' } });

    expect(summary).toStrictEqual(JSON.parse(JSON.stringify(summary)));
    expect(Object.keys(summary.approval!)).toEqual(['required']);
  });

  it('should keep no PII of the subject or actor in the state', () => {
    const { state } = project([ev('action.attempted', t(0))]);

    expect(JSON.stringify(state)).not.toContain('x@example.com');
    expect(JSON.stringify(state)).not.toContain('203.0.113.1');
    expect(state.stages['action.attempted']?.subjectId).toBe('cust-1');
  });
});

describe('approval binding anomalies', () => {
  it('should mark no anomaly when the hashes are absent on either side', () => {
    const approved = ev('action.confirmed', t(1), { approval: { required: true, decision: 'approved', argsHash: HASH_A } });

    expect(project([approved, ev('action.executed', t(2))]).row.anomalies).toEqual([]);
    expect(project([ev('action.confirmed', t(1), { approval: { required: true, decision: 'approved' } }), ev('action.executed', t(2), { inputHash: HASH_B })]).row.anomalies).toEqual([]);
  });

  it('should count an approval the executed event requires, and an auto decision as granting', () => {
    expect(project([ev('action.executed', t(2), { approval: { required: true } })]).row.anomalies.map((a) => a.code)).toEqual(['unapproved_execution']);
    expect(project([ev('action.executed', t(2), { approval: { required: true, decision: 'auto' } })]).row.anomalies).toEqual([]);
    expect(project([ev('action.executed', t(2), { approval: { required: false } })]).row.anomalies).toEqual([]);
  });

  it('should keep the hashes in the summaries', () => {
    const { state } = project([ev('action.confirmed', t(1), { approval: { required: true, decision: 'approved', argsHash: HASH_A } }), ev('action.executed', t(2), { inputHash: HASH_B })]);

    expect(state.stages['action.confirmed']?.approval?.argsHash).toBe(HASH_A);
    expect(state.stages['action.executed']?.inputHash).toBe(HASH_B);
  });
});

describe('typed fields of actions', () => {
  it('should project task, plan, approval id and the decisive decision time in whole milliseconds', () => {
    const { row } = project([
      ev('action.attempted', t(0), { taskId: 'task-1', plan: { planId: 'plan-1', stepId: 'step-2' }, approval: { required: true, approvalId: 'apr-1' } }),
      ev('action.confirmed', t(5), { approval: { required: true, decision: 'approved', decisionMs: 4999.6, approvalId: 'apr-1' } }),
    ]);

    expect(row).toMatchObject({ taskId: 'task-1', planId: 'plan-1', stepId: 'step-2', approvalId: 'apr-1', approvalDecisionMs: 5000 });
  });

  it('should leave the decision time null when it does not fit a 32-bit integer or was not given', () => {
    expect(project([ev('action.confirmed', t(1), { approval: { required: true, decision: 'approved', decisionMs: 2 ** 31 } })]).row.approvalDecisionMs).toBeNull();
    expect(project([ev('action.executed', t(1))]).row).toMatchObject({ approvalDecisionMs: null, taskId: null, planId: null, approvalId: null });
  });
});
