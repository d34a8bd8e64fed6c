import type { VerifyResult } from '../api/types';
import { describeVerification, verdictOf } from './verification';

/** A verification answer: what GET /v1/integrity/verify answers, with `over` in place. */
const aVerification = (over: Partial<VerifyResult>): VerifyResult => ({
  ok: false,
  status: over.ok ? 'ok' : 'failed',
  eventsChecked: 0,
  checkpointsChecked: 0,
  chains: [],
  uncovered: [],
  unverifiedReasons: [],
  lastCheckpoint: null,
  newestCheckpointAge: null,
  witness: 'not_configured',
  merkle: { treeSize: 0, leavesChecked: 0, treeHeadsChecked: 0 },
  failures: [],
  window: { from: null, to: null },
  ...over,
});

describe(describeVerification.name, () => {
  it('should count what was checked when the record verifies', () => {
    expect(describeVerification(aVerification({ ok: true, eventsChecked: 1204, checkpointsChecked: 17 }))).toBe('1,204 events and 17 signed checkpoints check out');
  });

  it('should name the first failing row and its reason when the record does not verify', () => {
    expect(
      describeVerification(
        aVerification({
          eventsChecked: 3,
          checkpointsChecked: 1,
          firstFailure: { kind: 'hash_mismatch', partition: 2, chainSeq: '41', eventId: 'e-1', reason: 'stored hash differs' },
          failures: [
            { kind: 'hash_mismatch', reason: 'stored hash differs' },
            { kind: 'prev_hash_mismatch', reason: 'previous hash differs' },
          ],
        }),
      ),
    ).toBe('hash mismatch at partition 2, position 41, event e-1: stored hash differs (+1 more)');
    expect(describeVerification(aVerification({ eventsChecked: 3, checkpointsChecked: 1, firstFailure: { kind: 'unknown_checkpoint_key', reason: 'signed with key k9' } }))).toBe(
      'unknown checkpoint key: signed with key k9',
    );
  });
});

describe('unverified verifications', () => {
  it('should count the rows no checkpoint covers and give the newest checkpoint age when rows follow it', () => {
    const r = aVerification({
      ok: false,
      status: 'unverified' as const,
      eventsChecked: 120,
      checkpointsChecked: 4,
      uncovered: [{ partition: 0, fromSeq: '101', toSeq: '112', events: 12 }, { partition: 3, fromSeq: '8', toSeq: '8', events: 1 }],
      unverifiedReasons: ['13 rows after the newest checkpoint are not signed yet'],
      newestCheckpointAge: 42,
    });
    expect(verdictOf(r)).toBe('unverified');
    expect(describeVerification(r)).toBe('13 of 120 events not yet covered by a signed checkpoint; newest signed checkpoint 42 s ago');
  });

  it('should never read as verified when there is no signed checkpoint at all', () => {
    const r = aVerification({ status: 'unverified', eventsChecked: 0, checkpointsChecked: 0, unverifiedReasons: ['no rows and no signed checkpoint: nothing to verify'] });
    expect(verdictOf(r)).toBe('unverified');
    expect(describeVerification(r)).toBe('0 events check out; no signed checkpoint yet');
  });

  it('should name the reason when the external checkpoint log could not be read', () => {
    const r = aVerification({ status: 'unverified', eventsChecked: 5, checkpointsChecked: 1, unverifiedReasons: ['the checkpoint witness could not be read (ECONNREFUSED)'], newestCheckpointAge: 3 });
    expect(describeVerification(r)).toBe('5 events check out; newest signed checkpoint 3.0 s ago; the checkpoint witness could not be read (ECONNREFUSED)');
  });

  it('should take an answer that says ok with another status as failed', () => {
    expect(verdictOf(aVerification({ ok: true, status: 'failed', eventsChecked: 1, checkpointsChecked: 1 }))).toBe('failed');
    expect(verdictOf(aVerification({ ok: false, status: 'ok', eventsChecked: 1, checkpointsChecked: 1 }))).toBe('failed');
  });
});
