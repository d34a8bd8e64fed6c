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

  it('should add the Merkle tree and the signed tree heads it was checked against when the answer has them', () => {
    const merkle = { treeSize: 1204, leavesChecked: 1204, treeHeadsChecked: 17 };
    expect(describeVerification(aVerification({ ok: true, eventsChecked: 1204, checkpointsChecked: 17, merkle }))).toBe(
      '1,204 events and 17 signed checkpoints check out, and so does the Merkle tree of 1,204 leaves against 17 signed tree heads',
    );
    expect(describeVerification(aVerification({ ok: true, eventsChecked: 3, checkpointsChecked: 1, merkle: { ...merkle, treeSize: 3, treeHeadsChecked: 1 } }))).toBe(
      '3 events and 1 signed checkpoint check out, and so does the Merkle tree of 3 leaves against 1 signed tree head',
    );
  });

  it('should name the leaf or tree size of a Merkle failure', () => {
    expect(describeVerification(aVerification({ firstFailure: { kind: 'tree_head_root_mismatch', treeSize: 64, reason: 'the signed root differs' } }))).toBe(
      'tree head root mismatch at tree size 64: the signed root differs',
    );
    expect(describeVerification(aVerification({ firstFailure: { kind: 'merkle_leaf_mismatch', partition: 1, chainSeq: '9', leafIndex: 1500, reason: 'x' } }))).toBe(
      'merkle leaf mismatch at partition 1, position 9, leaf 1,500: x',
    );
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
