import { statsSketchKey } from '@agent-ledger/persistence';
import { rollupDeltas, type RollupAction } from './rollup-deltas';

const T = '00000000-0000-4000-8000-000000000001';
const action = (over: Partial<RollupAction> = {}): RollupAction => ({
  status: 'attempted', toolName: 'refund', toolProvider: 'stripe', riskLevel: 'moderate', approvalDecision: null, errorCode: null,
  agentId: 'a-1', agentName: 'Agent', actorType: 'user', actorId: 'u-1', firstEventAt: '2026-03-01T10:15:00.000Z', durationMs: null, approvalDecisionMs: null,
  ...over,
});
const hour = Date.parse('2026-03-01T10:00:00Z');

describe('rollupDeltas', () => {
  it('should add a new action once per grain to each table, and nothing for an unchanged one', () => {
    const d = rollupDeltas([{ tenantId: T, before: null, after: action({ status: 'executed', durationMs: 120 }) }], []);
    expect(d.actions.map((r) => [r.grain, r.status, r.n, r.durN, r.durSum])).toEqual([['day', 'executed', 1, 1, 120], ['hour', 'executed', 1, 1, 120]]);
    expect(d.breakdowns.filter((b) => b.grain === 'hour').map((b) => [b.dim, b.k1, b.k2, b.total, b.executed])).toEqual([
      ['actor', 'user', 'u-1', 1, 1], ['agent', 'a-1', 'Agent', 1, 1], ['provider', 'stripe', null, 1, 1],
    ]);
    expect(d.sketches.map((s) => [s.grain, s.metric, s.counts, s.min, s.max, s.removed])).toEqual([
      ['day', 'duration', { [statsSketchKey(120)]: 1 }, 120, 120, false], ['hour', 'duration', { [statsSketchKey(120)]: 1 }, 120, 120, false],
    ]);
    expect(d.series.map((s) => [s.grain, s.key, s.n])).toEqual([['day', 'executed', 1], ['hour', 'executed', 1], ['minute', 'executed', 1]]);

    const same = action({ status: 'executed', durationMs: 120 });
    expect(rollupDeltas([{ tenantId: T, before: same, after: same }], [])).toEqual({ actions: [], breakdowns: [], sketches: [], eventTypes: [], series: [] });
  });

  it('should move an action between statuses and hours: after − before', () => {
    const before = action();
    const after = action({ status: 'failed', errorCode: 'E_1', firstEventAt: '2026-03-01T09:59:59.000Z', durationMs: 40 });
    const d = rollupDeltas([{ tenantId: T, before, after }], []);
    expect(d.actions.filter((r) => r.grain === 'hour').map((r) => [r.bucket - hour, r.status, r.errorCode, r.n])).toEqual([
      [-3_600_000, 'failed', 'E_1', 1], [0, 'attempted', null, -1],
    ]);
    // Same day: the day row of the status moves, the day totals of the breakdowns stay.
    expect(d.breakdowns.filter((b) => b.grain === 'day').map((b) => [b.dim, b.total, b.failed])).toEqual([['actor', 0, 1], ['agent', 0, 1], ['provider', 0, 1]]);
  });

  it('should keep the error code of failed actions only', () => {
    const d = rollupDeltas([{ tenantId: T, before: null, after: action({ status: 'executed', errorCode: 'E_stale' }) }], []);
    expect(d.actions.map((r) => r.errorCode)).toEqual([null, null]);
  });

  it('should mark a sketch whose value left it, unless the same value came back', () => {
    const moved = rollupDeltas([{ tenantId: T, before: action({ status: 'executed', durationMs: 100 }), after: action({ status: 'executed', durationMs: 100.4 }) }], []);
    // 100 and 100.4 share a bucket: the counts cancel out, but 100 may have been the minimum or maximum.
    expect(moved.sketches.map((s) => [s.grain, s.counts, s.min, s.removed])).toEqual([['day', {}, 100.4, true], ['hour', {}, 100.4, true]]);
    const back = rollupDeltas([{ tenantId: T, before: action({ status: 'failed', durationMs: 100 }), after: action({ status: 'executed', durationMs: 100 }) }], []);
    expect(back.sketches).toEqual([]);
  });

  it('should count events per hour and per day of occurrence, in key order', () => {
    const d = rollupDeltas([], [
      { tenantId: T, type: 'signal.rate_limited', occurredAt: '2026-03-01T10:59:59.999Z' },
      { tenantId: T, type: 'signal.rate_limited', occurredAt: '2026-03-01T11:00:00.000Z' },
      { tenantId: T, type: 'action.attempted', occurredAt: new Date('2026-03-01T10:01:00Z') },
    ]);
    expect(d.eventTypes.map((e) => [e.grain, new Date(e.bucket).toISOString(), e.key, e.n])).toEqual([
      ['day', '2026-03-01T00:00:00.000Z', 'action.attempted', 1],
      ['day', '2026-03-01T00:00:00.000Z', 'signal.rate_limited', 2],
      ['hour', '2026-03-01T10:00:00.000Z', 'action.attempted', 1],
      ['hour', '2026-03-01T10:00:00.000Z', 'signal.rate_limited', 1],
      ['hour', '2026-03-01T11:00:00.000Z', 'signal.rate_limited', 1],
    ]);
  });
});

describe('rollupDeltas of deletions (retention)', () => {
  it('should take a deleted action and deleted events away', () => {
    const gone = action({ status: 'executed', durationMs: 120 });
    const d = rollupDeltas([{ tenantId: T, before: gone, after: null }], [], [{ tenantId: T, type: 'action.executed', occurredAt: '2026-03-01T10:15:01.000Z' }]);
    expect(d.actions.map((r) => [r.grain, r.n, r.durSum])).toEqual([['day', -1, -120], ['hour', -1, -120]]);
    expect(d.sketches.every((s) => s.removed && s.counts[statsSketchKey(120)] === -1)).toBe(true);
    expect(d.eventTypes.map((e) => [e.grain, e.key, e.n])).toEqual([['day', 'action.executed', -1], ['hour', 'action.executed', -1]]);
  });
});
