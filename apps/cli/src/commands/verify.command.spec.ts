import { describeVerification, statusOf, type VerifySummary } from './verify.command';

describe(describeVerification.name, () => {
  const base: VerifySummary = { ok: false, eventsChecked: 120, checkpointsChecked: 4, chains: [{}, {}], lastCheckpoint: { checkpointId: 'cp-1', createdAt: '2026-11-22T10:00:00.000Z' }, newestCheckpointAge: 42 };

  it('should print UNVERIFIED with the reasons and the unsigned ranges when rows follow the newest checkpoint', () => {
    const lines = describeVerification({
      ...base,
      status: 'unverified',
      unverifiedReasons: ['3 rows after the newest checkpoint are not signed yet'],
      uncovered: [{ partition: 2, fromSeq: '41', toSeq: '43', events: 3 }],
    });

    expect(lines[0]).toMatch(/^UNVERIFIED: 120 events in 2 chains against 4 signed checkpoints; last checkpoint cp-1 at .+, 42 s ago$/);
    expect(lines.slice(1)).toEqual(['  3 rows after the newest checkpoint are not signed yet', '  not yet signed: partition 2, chain_seq 41..43 (3 events)']);
  });

  it('should print ok only when the answer says ok', () => {
    expect(describeVerification({ ...base, ok: true, status: 'ok' })[0]).toMatch(/^ok: 120 events/);
    expect(describeVerification({ ...base, ok: true, status: 'unverified' })[0]).toMatch(/^UNVERIFIED/);
  });
});

describe(statusOf.name, () => {
  it('should take the status, or ok/failed from `ok` for an answer without one', () => {
    expect(statusOf({ ok: false, status: 'unverified', eventsChecked: 1 })).toBe('unverified');
    expect(statusOf({ ok: true, status: 'failed', eventsChecked: 1 })).toBe('failed');
    expect(statusOf({ ok: false, status: 'ok', eventsChecked: 1 })).toBe('failed');
    expect(statusOf({ ok: true, eventsChecked: 1 })).toBe('ok');
    expect(statusOf({ ok: false, eventsChecked: 1 })).toBe('failed');
  });
});
