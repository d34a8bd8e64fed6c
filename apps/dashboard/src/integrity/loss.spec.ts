import { describeRange, openLossOf } from './loss';

describe('openLossOf', () => {
  it('should read the totals and the open gaps of the loss answer', () => {
    const loss = openLossOf({
      totals: { producers: 2, accountedEvents: 40, openGaps: 3, missingEvents: 7, closedGaps: 1 },
      gaps: [
        { id: '12', producerId: 'p-1', firstSeq: 5, lastSeq: 7, missingEvents: 3, state: 'open', openedAt: '2026-01-01T00:00:00.000000Z', closedAt: null, escalatedAt: '2026-01-01T00:05:00.000000Z' },
        { id: '11', producerId: 'p-2', firstSeq: 9, lastSeq: 9, missingEvents: 1, state: 'open', openedAt: '2026-01-01T00:00:00.000000Z', closedAt: null, escalatedAt: null },
      ],
      nextCursor: 'abc',
    });

    expect(loss).toEqual({
      openGaps: 3,
      missingEvents: 7,
      more: true,
      gaps: [
        { id: '12', producerId: 'p-1', firstSeq: 5, lastSeq: 7, missingEvents: 3, openedAt: '2026-01-01T00:00:00.000000Z', escalatedAt: '2026-01-01T00:05:00.000000Z' },
        { id: '11', producerId: 'p-2', firstSeq: 9, lastSeq: 9, missingEvents: 1, openedAt: '2026-01-01T00:00:00.000000Z', escalatedAt: null },
      ],
    });
  });

  it('should leave out a gap that lacks its range and count the rest when the totals are absent', () => {
    const loss = openLossOf({ gaps: [{ id: '1', producerId: 'p', openedAt: 'x', firstSeq: 4 }, { id: '2', producerId: 'p', openedAt: 'x', firstSeq: 2, lastSeq: 3 }], nextCursor: null });

    expect(loss).toMatchObject({ openGaps: 1, missingEvents: 2, more: false });
    expect(loss.gaps.map((g) => g.id)).toEqual(['2']);
  });

  it('should describe a range of one number and of several', () => {
    expect(describeRange({ firstSeq: 9, lastSeq: 9 })).toBe('9');
    expect(describeRange({ firstSeq: 5, lastSeq: 7 })).toBe('5–7');
  });
});
