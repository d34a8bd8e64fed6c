import { groupByProducer, planSequences, producerKey, producersWithLateNumbers, type OpenGap, type ProducerState } from './producer-sequences';

const T = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const stamped = (id: string, ...seqs: number[]) => seqs.map((seq) => ({ tenantId: T, producer: { id, seq } }));
const state = (producerId: string, maxSeq: number): [string, ProducerState] => [producerKey(T, producerId), { tenantId: T, producerId, maxSeq }];
const gap = (id: string, firstSeq: number, lastSeq: number, escalatedAt: string | null = null): OpenGap => ({
  id,
  tenantId: T,
  producerId: 'p',
  firstSeq,
  lastSeq,
  openedAt: '2026-01-01 00:00:00+00',
  escalatedAt,
});

describe('producer sequences', () => {
  it('should group stamped events per producer in key order, numbers sorted and distinct, and leave out unstamped ones', () => {
    const batches = groupByProducer([...stamped('b', 3, 1, 3), { tenantId: T }, ...stamped('a', 2)]);

    expect(batches).toEqual([
      { tenantId: T, producerId: 'a', seqs: [2], events: 1 },
      { tenantId: T, producerId: 'b', seqs: [1, 3], events: 3 },
    ]);
  });

  it('should open one gap per skipped run above the highest number, from 1 for a new producer', () => {
    const plan = planSequences(groupByProducer(stamped('p', 3, 4, 8, 10)), new Map(), []);

    expect(plan.sequences).toEqual([{ tenantId: T, producerId: 'p', maxSeq: 10, events: 4 }]);
    expect(plan.gapInserts.map((g) => [g.firstSeq, g.lastSeq, g.openedAt])).toEqual([
      [1, 2, null],
      [5, 7, null],
      [9, 9, null],
    ]);
    expect(plan.gapUpdates).toEqual([]);
  });

  it('should open no gap for numbers that follow the highest', () => {
    const plan = planSequences(groupByProducer(stamped('p', 5, 6)), new Map([state('p', 4)]), []);

    expect(plan.sequences[0].maxSeq).toBe(6);
    expect(plan.gapInserts).toEqual([]);
  });

  it('should shrink, split and close an open gap as late numbers arrive, keeping the split piece opened and escalated', () => {
    const states = new Map([state('p', 10)]);

    const split = planSequences(groupByProducer(stamped('p', 6)), states, [gap('1', 5, 7, '2026-01-01 00:05:00+00')]);
    const shrunk = planSequences(groupByProducer(stamped('p', 5)), states, [gap('1', 5, 7)]);
    const closed = planSequences(groupByProducer(stamped('p', 5, 6, 7)), states, [gap('1', 5, 7)]);

    expect(split.gapUpdates).toEqual([{ id: '1', firstSeq: 5, lastSeq: 5, closed: false }]);
    expect(split.gapInserts).toEqual([{ tenantId: T, producerId: 'p', firstSeq: 7, lastSeq: 7, openedAt: '2026-01-01 00:00:00+00', escalatedAt: '2026-01-01 00:05:00+00' }]);
    expect(shrunk.gapUpdates).toEqual([{ id: '1', firstSeq: 6, lastSeq: 7, closed: false }]);
    expect(closed.gapUpdates).toEqual([{ id: '1', firstSeq: 5, lastSeq: 7, closed: true }]);
    expect(closed.sequences).toEqual([{ tenantId: T, producerId: 'p', maxSeq: 10, events: 3 }]);
  });

  it('should change no gap for a number at or below the highest that no gap holds', () => {
    const plan = planSequences(groupByProducer(stamped('p', 2)), new Map([state('p', 10)]), [gap('1', 5, 7)]);

    expect(plan.gapUpdates).toEqual([]);
    expect(plan.gapInserts).toEqual([]);
    expect(plan.sequences).toEqual([{ tenantId: T, producerId: 'p', maxSeq: 10, events: 1 }]);
  });

  it('should read gaps only for producers with a number at or below their highest', () => {
    const batches = groupByProducer([...stamped('early', 3), ...stamped('late', 3), ...stamped('new', 1)]);

    expect(producersWithLateNumbers(batches, new Map([state('early', 2), state('late', 5)])).map((b) => b.producerId)).toEqual(['late']);
  });
});
