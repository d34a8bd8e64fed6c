import { InvalidArgumentError } from 'commander';
import { collect, filtersToQuery, integerIn, parseInstant } from './option-parsers';

describe('option parsers', () => {
  describe(parseInstant.name, () => {
    const now = () => Date.parse('2026-03-10T12:00:00.000Z');

    it.each([
      ['15m', '2026-03-10T11:45:00.000Z'],
      ['24h', '2026-03-09T12:00:00.000Z'],
      ['7d', '2026-03-03T12:00:00.000Z'],
      ['2w', '2026-02-24T12:00:00.000Z'],
      ['90s', '2026-03-10T11:58:30.000Z'],
    ])('should count back from now when given the duration %s', (input, expected) => {
      expect(parseInstant(input, now)).toBe(expected);
    });

    it('should read a date as midnight UTC and a date-time with an offset as UTC', () => {
      expect(parseInstant('2026-03-01')).toBe('2026-03-01T00:00:00.000Z');
      expect(parseInstant('2026-03-01T09:00:00+02:00')).toBe('2026-03-01T07:00:00.000Z');
      expect(parseInstant('2026-03-01T09:00:00.5Z')).toBe('2026-03-01T09:00:00.500Z');
    });

    it.each(['yesterday', '2026-02-30', '2026-03-01T09:00:00', '15', '-5m', '2026-13-01T00:00:00Z'])('should reject %s', (input) => {
      expect(() => parseInstant(input)).toThrow(InvalidArgumentError);
    });
  });

  it('should accept whole numbers in range and reject others when parsing --limit', () => {
    const limit = integerIn(1, 1000);
    expect(limit('1000')).toBe(1000);
    for (const bad of ['0', '1001', '1.5', 'ten', '-1', '']) expect(() => limit(bad)).toThrow(InvalidArgumentError);
  });

  it('should split comma-separated values and keep repeated ones when collecting', () => {
    expect(collect('c', collect('a, b'))).toEqual(['a', 'b', 'c']);
  });

  it('should map each flag to its API query parameter and leave out what was not given', () => {
    expect(
      filtersToQuery({ status: 'failed', tool: 'refund_order', risk: 'critical', session: 's', agent: 'a', actor: 'u', approval: 'rejected', anomaly: false, from: '2026-01-01T00:00:00.000Z', type: 'action.failed', resourceType: 'api_key', resourceId: 'k1' }),
    ).toEqual({
      status: 'failed', tool: 'refund_order', riskLevel: 'critical', sessionId: 's', agentId: 'a', actorId: 'u', approvalDecision: 'rejected', anomaly: 'false', from: '2026-01-01T00:00:00.000Z', type: 'action.failed', resourceType: 'api_key', resourceId: 'k1',
    });
    expect(filtersToQuery({})).toEqual({});
    expect(filtersToQuery({ anomalyCode: 'approval_mismatch' })).toEqual({ anomalyCode: 'approval_mismatch' });
  });

  it('should map the provider, subject, task, plan, approval id, search and change action flags', () => {
    expect(filtersToQuery({ provider: 'zendesk', subject: 'cust-1', task: 't-1', plan: 'p-1', approvalId: 'apr-1', search: 'timeout', changeAction: 'delete' })).toEqual({
      provider: 'zendesk', subjectId: 'cust-1', taskId: 't-1', planId: 'p-1', approvalId: 'apr-1', q: 'timeout', changeAction: 'delete',
    });
  });
});
