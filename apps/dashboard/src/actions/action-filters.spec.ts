import type { Action } from '../api/types';
import { describeFilters, filtersFromSearch, filtersToQuery, filtersToSearch, listQuery, matchesFilters, mergeActions } from './action-filters';

const anAction = (over: Partial<Action> = {}): Action => ({
  actionId: 'a1',
  status: 'executed',
  sessionId: 's1',
  agent: { id: 'agent-1', name: 'Support bot' },
  actor: { type: 'user', id: 'cust-1' },
  tool: { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' },
  approval: { required: true, decision: 'approved', approvedBy: 'ana', approvalId: null, decisionMs: null },
  taskId: null,
  plan: null,
  stages: { attemptedAt: '2026-01-01T10:00:00.000Z', confirmedAt: null, executedAt: null, failedAt: null, cancelledAt: null },
  firstEventAt: '2026-01-01T10:00:00.000Z',
  lastEventAt: '2026-01-01T10:00:01.000Z',
  durationMs: 120,
  error: null,
  subjectId: null,
  eventCount: 2,
  anomaly: false,
  anomalies: [],
  ...over,
});

describe(filtersFromSearch.name, () => {
  it('should keep known filters and drop unknown parameters and values outside the vocabularies', () => {
    const f = filtersFromSearch(new URLSearchParams('status=failed&riskLevel=nuclear&tool=+refund_order+&key=alk_read_x&from=2026-01-01T00:00:00Z&to=yesterday'));
    expect(f).toEqual({ status: 'failed', tool: 'refund_order', from: '2026-01-01T00:00:00.000Z' });
  });

  it('should give back the same filters after a round trip through the URL', () => {
    const f = { tool: 'refund_order', status: 'failed' as const, approvalDecision: 'not_required' as const, sessionId: 's 1', from: '2026-01-01T00:00:00.000Z' };
    expect(filtersFromSearch(new URLSearchParams(filtersToSearch(f)))).toEqual(f);
    expect(filtersToSearch({})).toBe('');
  });
});

describe(describeFilters.name, () => {
  it('should say what is filtered in words', () => {
    expect(describeFilters({ status: 'failed', tool: 'x' })).toBe('tool x, status failed');
    expect(describeFilters({})).toBe('no filters');
  });
});

describe(matchesFilters.name, () => {
  it('should match an action only when every filter holds', () => {
    const a = anAction();
    expect(matchesFilters(a, {})).toBe(true);
    expect(matchesFilters(a, { tool: 'refund_order', riskLevel: 'destructive', approvalDecision: 'approved', actorId: 'cust-1', sessionId: 's1' })).toBe(true);
    expect(matchesFilters(a, { status: 'failed' })).toBe(false);
    expect(matchesFilters(a, { from: '2026-01-01T10:00:00.001Z' })).toBe(false);
    expect(matchesFilters(a, { to: '2026-01-01T10:00:00.000Z' })).toBe(false);
  });
});

describe('provider, subject, task, plan, approval id, free text and order', () => {
  const typed = anAction({
    subjectId: 'cus-9',
    taskId: 'task-1',
    plan: { planId: 'plan-1', stepId: 'st-2' },
    approval: { required: true, decision: 'approved', approvedBy: 'ana', approvalId: 'apr-3', decisionMs: 900 },
    error: { message: 'Gateway Timeout', code: null },
  });

  it('should keep the new filters and the order through the URL and drop an unknown order', () => {
    const f = { q: 'time out', provider: 'shop', subjectId: 'cus-9', taskId: 'task-1', planId: 'plan-1', approvalId: 'apr-3', sort: 'duration_desc' as const };
    expect(filtersFromSearch(new URLSearchParams(filtersToSearch(f)))).toEqual(f);
    expect(filtersFromSearch(new URLSearchParams('sort=fastest&q=a%07b'))).toEqual({ q: 'a b' });
  });

  it('should send the order to the actions list only, never to the stream or the export', () => {
    expect(filtersToQuery({ taskId: 't', sort: 'duration_desc' })).toEqual({ taskId: 't' });
    expect(listQuery({ taskId: 't', sort: 'duration_desc' })).toEqual({ taskId: 't', sort: 'duration_desc' });
    expect(listQuery({ taskId: 't' })).toEqual({ taskId: 't' });
  });

  it('should match an action on each new filter as the API does', () => {
    expect(matchesFilters(typed, { provider: 'shop', subjectId: 'cus-9', taskId: 'task-1', planId: 'plan-1', approvalId: 'apr-3' })).toBe(true);
    for (const f of [{ provider: 'crm' }, { subjectId: 'x' }, { taskId: 'task-2' }, { planId: 'plan-2' }, { approvalId: 'apr-4' }, { q: 'nothing' }]) expect(matchesFilters(typed, f)).toBe(false);
    for (const q of ['TIMEOUT', 'refund', 'support', 'agent-1']) expect(matchesFilters(typed, { q })).toBe(true);
  });
});

describe(mergeActions.name, () => {
  it('should put a new matching action on top, replace a listed one in place and drop one that no longer matches', () => {
    const list = [anAction({ actionId: 'a1', status: 'failed' }), anAction({ actionId: 'a2', status: 'failed' })];
    const { list: merged, added } = mergeActions(
      list,
      [anAction({ actionId: 'a3', status: 'failed' }), anAction({ actionId: 'a2', status: 'failed', durationMs: 999 }), anAction({ actionId: 'a1', status: 'executed' })],
      { status: 'failed' },
    );
    expect(merged.map((a) => [a.actionId, a.durationMs])).toEqual([
      ['a3', 120],
      ['a2', 999],
    ]);
    expect(added.map((a) => a.actionId)).toEqual(['a3']);
  });
});

describe('anomaly code filter', () => {
  const mismatched = anAction({ anomaly: true, anomalies: [{ code: 'approval_mismatch', description: 'the executed input is not the approved one' }] });

  it('should match only the actions marked with the code', () => {
    expect(matchesFilters(mismatched, { anomalyCode: 'approval_mismatch' })).toBe(true);
    expect(matchesFilters(mismatched, { anomalyCode: 'unapproved_execution' })).toBe(false);
    expect(matchesFilters(anAction(), { anomalyCode: 'approval_mismatch' })).toBe(false);
  });

  it('should keep a known code from the URL, drop an unknown one, and send it to the API as anomalyCode', () => {
    expect(filtersFromSearch(new URLSearchParams('anomalyCode=approval_mismatch'))).toEqual({ anomalyCode: 'approval_mismatch' });
    expect(filtersFromSearch(new URLSearchParams('anomalyCode=made_up'))).toEqual({});
    expect(filtersToQuery({ anomalyCode: 'executed_after_rejection' })).toEqual({ anomalyCode: 'executed_after_rejection' });
    expect(describeFilters({ anomalyCode: 'approval_mismatch' })).toBe('anomaly approval_mismatch');
  });
});
