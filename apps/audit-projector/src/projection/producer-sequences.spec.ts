import { groupByProducer, planGapFills, producerKey, producersWithLateNumbers, type OpenGap } from './producer-sequences';

const T = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const stamped = (id: string, ...seqs: number[]) => seqs.map((seq) => ({ tenantId: T, producer: { id, seq } }));
const gap = (id: string, firstSeq: number, lastSeq: number, escalatedAt: string | null = null): OpenGap => ({
  id,
  tenantId: T,
  producerId: 'p',
  firstSeq,
  lastSeq,
  openedAt: '2026-01-01 00:00:00+00',
  escalatedAt,
});

// The gaps opened above a producer's highest number are computed in SQL: producer-sequences.repository.int-spec.ts.
describe('producer sequences', () => {
  it('should group stamped events per producer in key order, numbers sorted and distinct, and leave out unstamped ones', () => {
    const batches = groupByProducer([...stamped('b', 3, 1, 3), { tenantId: T }, ...stamped('a', 2)]);

    expect(batches).toEqual([
      { tenantId: T, producerId: 'a', seqs: [2], events: 1 },
      { tenantId: T, producerId: 'b', seqs: [1, 3], events: 3 },
    ]);
  });

  it('should shrink, split and close an open gap as late numbers arrive, keeping the split piece opened and escalated', () => {
    const split = planGapFills(groupByProducer(stamped('p', 6)), [gap('1', 5, 7, '2026-01-01 00:05:00+00')]);
    const shrunk = planGapFills(groupByProducer(stamped('p', 5)), [gap('1', 5, 7)]);
    const closed = planGapFills(groupByProducer(stamped('p', 5, 6, 7)), [gap('1', 5, 7)]);

    expect(split.updates).toEqual([{ id: '1', firstSeq: 5, lastSeq: 5, closed: false }]);
    expect(split.pieces).toEqual([{ tenantId: T, producerId: 'p', firstSeq: 7, lastSeq: 7, openedAt: '2026-01-01 00:00:00+00', escalatedAt: '2026-01-01 00:05:00+00' }]);
    expect(shrunk).toEqual({ updates: [{ id: '1', firstSeq: 6, lastSeq: 7, closed: false }], pieces: [] });
    expect(closed).toEqual({ updates: [{ id: '1', firstSeq: 5, lastSeq: 7, closed: true }], pieces: [] });
  });

  it('should split a gap into as many pieces as the late numbers leave', () => {
    const fills = planGapFills(groupByProducer(stamped('p', 2, 5, 6, 9)), [gap('1', 1, 10)]);

    expect(fills.updates).toEqual([{ id: '1', firstSeq: 1, lastSeq: 1, closed: false }]);
    expect(fills.pieces.map((p) => [p.firstSeq, p.lastSeq])).toEqual([
      [3, 4],
      [7, 8],
      [10, 10],
    ]);
  });

  it('should change no gap for numbers that no open gap holds', () => {
    expect(planGapFills(groupByProducer(stamped('p', 2, 11)), [gap('1', 5, 7)])).toEqual({ updates: [], pieces: [] });
  });

  it('should read gaps only for producers with a number at or below their previous highest', () => {
    const batches = groupByProducer([...stamped('early', 3), ...stamped('late', 3), ...stamped('new', 1)]);
    const previousMax = new Map([
      [producerKey(T, 'early'), 2],
      [producerKey(T, 'late'), 5],
      [producerKey(T, 'new'), 0],
    ]);

    expect(producersWithLateNumbers(batches, previousMax).map((b) => b.producerId)).toEqual(['late']);
  });
});
