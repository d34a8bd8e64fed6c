import { randomUUID } from 'node:crypto';
import { parseInput, type ApiError } from '@agent-ledger/runtime';
import { containsPattern, decodeCursor, encodeCursor, listActionsSchema, listEventsSchema, whereActions, whereEvents } from './query-filters';

const tenant = randomUUID();
const refusal = (f: () => unknown): ApiError | undefined => {
  try {
    f();
    return undefined;
  } catch (err) {
    return err as ApiError;
  }
};

describe('query filters: provider, subject, task, plan, approval, change action, q, slowest first', () => {
  it('should take a substring pattern literally when it holds LIKE wildcards or backslashes', () => {
    expect(containsPattern('refund')).toBe('%refund%');
    expect(containsPattern('50%_off\\x')).toBe('%50\\%\\_off\\\\x%');
  });

  it('should refuse each bad value with 400 naming its field', () => {
    const cases: [Record<string, string>, string][] = [
      [{ sort: 'fastest' }, 'sort'],
      [{ q: '' }, 'q'],
      [{ q: 'a\u0007b' }, 'q'],
      [{ q: 'x'.repeat(201) }, 'q'],
      [{ provider: '' }, 'provider'],
      [{ taskId: 'x'.repeat(201) }, 'taskId'],
    ];
    for (const [query, field] of cases) {
      expect(refusal(() => parseInput(listActionsSchema, query, 'query'))).toMatchObject({ status: 400, field });
    }
    expect(refusal(() => parseInput(listEventsSchema, { changeAction: 'rename' }, 'query'))).toMatchObject({ status: 400, field: 'changeAction' });
    expect(refusal(() => parseInput(listActionsSchema, { anomalyCode: 'approval_mismatched' }, 'query'))).toMatchObject({ status: 400, code: 'validation_failed', field: 'anomalyCode' });
    expect(refusal(() => parseInput(listEventsSchema, { anomalyCode: '' }, 'query'))).toMatchObject({ status: 400, field: 'anomalyCode' });
    expect(refusal(() => parseInput(listActionsSchema, { changeAction: 'create' }, 'query'))).toMatchObject({ status: 400 });
  });

  it('should default the sort to recent and accept duration_desc', () => {
    expect(parseInput(listActionsSchema, {}, 'query').sort).toBe('recent');
    expect(parseInput(listActionsSchema, { sort: 'duration_desc' }, 'query').sort).toBe('duration_desc');
  });

  it('should give back a slowest-first position and refuse it in the newest-first list', () => {
    expect(decodeCursor('slowest', tenant, encodeCursor('slowest', tenant, [812.5, '42']))).toEqual(['812.5', '42']);
    expect(refusal(() => decodeCursor('actions', tenant, encodeCursor('slowest', tenant, [812.5, '42'])))).toMatchObject({ code: 'invalid_cursor' });
    expect(refusal(() => decodeCursor('slowest', tenant, encodeCursor('slowest', tenant, [-1, '42'])))).toMatchObject({ code: 'invalid_cursor' });
  });

  it('should bind every filter value as a parameter, never into the SQL text', () => {
    const f = { provider: "p'1", subjectId: 's', taskId: 't', planId: 'p', approvalId: 'a', q: 'bot' };
    const actions = whereActions(tenant, f);
    const events = whereEvents(tenant, { ...f, changeAction: 'delete' });
    expect(actions.params).toEqual([tenant, "p'1", 's', 't', 'p', 'a', '%bot%']);
    expect(events.params).toEqual([tenant, "p'1", 's', 't', 'p', 'a', '%bot%', 'delete']);
    expect(String(actions)).not.toContain("p'1");
  });

  it('should filter actions and the events of actions by an anomaly code, bound as a jsonb containment', () => {
    const filter = parseInput(listEventsSchema, { anomalyCode: 'approval_mismatch' }, 'query');
    const actions = whereActions(tenant, filter);
    const events = whereEvents(tenant, filter);

    expect(actions.params).toEqual([tenant, '[{"code":"approval_mismatch"}]']);
    expect(String(actions)).toContain('a.anomalies @> $2::jsonb');
    expect(events.params).toEqual([tenant, tenant, '[{"code":"approval_mismatch"}]']);
    expect(String(events)).toContain('x.anomalies @> $3::jsonb');
  });
});
