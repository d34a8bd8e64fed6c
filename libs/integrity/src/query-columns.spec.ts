import { deriveQueryColumns } from './query-columns';

const base = { eventId: '0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a', tenantId: '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d', occurredAt: '2026-01-01T00:00:00Z', receivedAt: '2026-01-01T00:00:00Z' };

describe(deriveQueryColumns.name, () => {
  it('should take task, plan, step, approval id, provider, agent name and error from the typed fields', () => {
    const event = {
      ...base,
      type: 'task.failed',
      taskId: 'task-9',
      plan: { planId: 'plan-1', stepId: 'step-3', parentPlanId: 'plan-0' },
      approval: { required: true, approvalId: 'apr-7' },
      tool: { name: 'crm.update', provider: 'hubspot', riskLevel: 'moderate' },
      agent: { id: 'bot', name: 'Billing bot' },
      error: { message: 'CRM timed out' },
    };

    expect(deriveQueryColumns(event)).toEqual({
      taskId: 'task-9', planId: 'plan-1', stepId: 'step-3', approvalId: 'apr-7', messageRole: null, changeAction: null,
      toolProvider: 'hubspot', agentName: 'Billing bot', errorMessage: 'CRM timed out',
    });
  });

  it('should set the message role when the event is a message and the change action only when it is a change', () => {
    expect(deriveQueryColumns({ ...base, type: 'message.recorded', message: { role: 'tool', content: 'ok' } }).messageRole).toBe('tool');
    const change = (before: unknown, after: unknown) =>
      deriveQueryColumns({ ...base, type: 'change.recorded', resource: { type: 'k', id: '1' }, changes: { before, after } }).changeAction;
    expect([change(null, { a: 1 }), change({ a: 1 }, { a: 2 }), change({ a: 1 }, null)]).toEqual(['create', 'update', 'delete']);
    expect(deriveQueryColumns({ ...base, type: 'signal.rate_limited', changes: { before: null, after: 1 } }).changeAction).toBeNull();
  });

  it('should derive the same columns from the stored JSON text as from the event object', () => {
    const event = { ...base, type: 'change.recorded', resource: { type: 'k', id: '1' }, changes: { before: { a: 1 }, after: null }, agent: { id: 'a', name: 'Bot \u0000 one' } };
    expect(deriveQueryColumns(JSON.parse(JSON.stringify(event)))).toEqual(deriveQueryColumns(event));
    expect(deriveQueryColumns(event)).toMatchObject({ changeAction: 'delete', agentName: 'Bot \uFFFD one' });
  });

  it('should answer every column null for what is not an event object', () => {
    for (const v of [null, 'x', [1], 42]) expect(Object.values(deriveQueryColumns(v)).every((c) => c === null)).toBe(true);
  });
});
