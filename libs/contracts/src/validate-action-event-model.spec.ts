import { ACTION_EVENT_LIMITS, changeActionOf, validateActionEventInput, type FieldError } from './index';

function refusals(value: unknown): Array<[string, string]> {
  const result = validateActionEventInput(value);
  if (result.ok) throw new Error('expected validation to fail');
  return (result.errors as FieldError[]).map((e) => [e.pointer, e.code]);
}

describe('validateActionEventInput (messages, tasks, budget, plan, approval id)', () => {
  it('should require taskId when the type is a task lifecycle type', () => {
    for (const type of ['task.queued', 'task.completed']) expect(refusals({ type })).toEqual([['/taskId', 'required']]);
    expect(refusals({ type: 'task.failed' })).toEqual(expect.arrayContaining([['/taskId', 'required'], ['/error', 'required']]));
  });

  it('should require message with a role and content when the type is message.recorded', () => {
    expect(refusals({ type: 'message.recorded' })).toEqual([['/message', 'required']]);
    expect(refusals({ type: 'message.recorded', message: { role: 'robot', content: 'x', tokens: 1.5, extra: 1 } })).toEqual(
      expect.arrayContaining([
        ['/message/role', 'enum'],
        ['/message/tokens', 'type'],
        ['/message/extra', 'additionalProperties'],
      ]),
    );
  });

  it('should refuse message content over the limit and accept it at the limit', () => {
    const max = ACTION_EVENT_LIMITS.messageContentMaxLength;
    const at = { type: 'message.recorded', message: { role: 'agent', content: 'é'.repeat(max) } };
    expect(validateActionEventInput(at).ok).toBe(true);
    expect(refusals({ ...at, message: { role: 'agent', content: 'é'.repeat(max + 1) } })).toEqual([['/message/content', 'maxLength']]);
  });

  it('should name each wrong field of budget, plan and approval.approvalId', () => {
    expect(
      refusals({
        type: 'signal.budget_exceeded',
        budget: { used: -1, unit: '' },
        plan: { stepId: 's' },
        approval: { required: true, approvalId: '' },
        taskId: 'x'.repeat(ACTION_EVENT_LIMITS.idMaxLength + 1),
      }),
    ).toEqual(
      expect.arrayContaining([
        ['/budget/used', 'minimum'],
        ['/budget/limit', 'required'],
        ['/budget/unit', 'minLength'],
        ['/plan/planId', 'required'],
        ['/approval/approvalId', 'minLength'],
        ['/taskId', 'maxLength'],
      ]),
    );
  });

  it('should accept the typed fields on any event type', () => {
    const typed = { taskId: 't', budget: { used: 1, limit: 2, unit: 'tokens' }, plan: { planId: 'p' } };
    expect(validateActionEventInput({ type: 'action.attempted', actionId: 'a', ...typed, approval: { required: true, approvalId: 'ap_1' } }).ok).toBe(true);
    expect(validateActionEventInput({ type: 'signal.rate_limited', ...typed }).ok).toBe(true);
  });
});

describe(changeActionOf.name, () => {
  it('should read create, update and delete from which side of changes is null', () => {
    expect(changeActionOf({ before: null, after: { a: 1 } })).toBe('create');
    expect(changeActionOf({ before: { a: 1 }, after: null })).toBe('delete');
    expect(changeActionOf({ before: { a: 1 }, after: { a: 2 } })).toBe('update');
    expect(changeActionOf(undefined)).toBeUndefined();
  });
});
