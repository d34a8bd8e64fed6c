import { describeVerification } from './verification';

describe(describeVerification.name, () => {
  it('should count what was checked when the record verifies', () => {
    expect(describeVerification({ ok: true, eventsChecked: 1204, checkpointsChecked: 17 })).toBe('1,204 events and 17 signed checkpoints check out');
  });

  it('should name the first failing row and its reason when the record does not verify', () => {
    expect(
      describeVerification({ ok: false, eventsChecked: 3, checkpointsChecked: 1, firstFailure: { kind: 'hash_mismatch', partition: 2, chainSeq: '41', eventId: 'e-1', reason: 'stored hash differs' }, failures: [{}, {}] }),
    ).toBe('hash mismatch at partition 2, position 41, event e-1: stored hash differs (+1 more)');
    expect(describeVerification({ ok: false, eventsChecked: 3, checkpointsChecked: 1, firstFailure: { kind: 'unknown_checkpoint_key', reason: 'signed with key k9' } })).toBe(
      'unknown checkpoint key: signed with key k9',
    );
  });
});
