import type { KafkaMessage } from 'kafkajs';
import { classifyError, DataError, TransientError } from './error-classification';
import { applyInOrder, type IsolationSteps } from './poison-isolation';

const messages = (n: number): KafkaMessage[] =>
  Array.from({ length: n }, (_, i) => ({ offset: String(100 + i), key: null, value: Buffer.from(`m${i}`), timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage);

/** Steps that record what happened; `fail` decides whether a slice fails and how. */
function steps(fail: (slice: KafkaMessage[], call: number) => Error | undefined, overrides: Partial<IsolationSteps> = {}) {
  const applied: string[] = [];
  const deadLettered: { offset: string; cls: string }[] = [];
  const progress: string[] = [];
  const slices: number[] = [];
  let calls = 0;
  const s: IsolationSteps = {
    handle: async (slice) => {
      slices.push(slice.length);
      const err = fail(slice, calls++);
      if (err) throw err;
      applied.push(...slice.map((m) => m.offset));
    },
    classify: classifyError,
    deadLetter: async (m, _err, cls) => {
      deadLettered.push({ offset: m.offset, cls });
    },
    progressed: async (offset) => {
      progress.push(offset);
    },
    failed: () => undefined,
    shouldContinue: () => true,
    heartbeat: async () => undefined,
    sleep: async () => undefined,
    maxAttempts: 5,
    backoff: { initialMs: 1, maxMs: 2 },
    ...overrides,
  };
  return { s, applied, deadLettered, progress, slices, calls: () => calls };
}

const poisonAt = (offset: string) => (slice: KafkaMessage[]) => (slice.some((m) => m.offset === offset) ? new DataError('bad value') : undefined);

describe(applyInOrder.name, () => {
  it('should apply every other message in order and dead-letter the poison when one message is bad', async () => {
    const t = steps(poisonAt('105'));

    expect(await applyInOrder(messages(10), t.s)).toBe(true);

    expect(t.applied).toEqual(['100', '101', '102', '103', '104', '106', '107', '108', '109']);
    expect(t.deadLettered).toEqual([{ offset: '105', cls: 'data' }]);
    expect(t.progress[t.progress.length - 1]).toBe('109');
    // Bisection: log2(10) levels, not one attempt per message.
    expect(t.calls()).toBeLessThan(12);
  });

  it('should dead-letter each bad message when several are bad', async () => {
    const bad = new Set(['100', '133', '134', '199']);
    const t = steps((slice) => (slice.some((m) => bad.has(m.offset)) ? new DataError('bad') : undefined));

    await applyInOrder(messages(100), t.s);

    expect(t.deadLettered.map((d) => d.offset)).toEqual(['100', '133', '134', '199']);
    expect(t.applied).toHaveLength(96);
    expect(t.applied).toEqual([...t.applied].sort());
  });

  it('should retry the same slice without skipping anything when the error is transient', async () => {
    const t = steps((_slice, call) => (call < 7 ? new TransientError('database away') : undefined));

    await applyInOrder(messages(8), t.s);

    expect(t.deadLettered).toEqual([]);
    expect(t.slices).toEqual([8, 8, 8, 8, 8, 8, 8, 8]);
    expect(t.applied).toHaveLength(8);
  });

  it('should dead-letter a lone message after bounded attempts when an unclassified error persists', async () => {
    const t = steps((slice) => (slice.some((m) => m.offset === '102') ? new Error('something odd') : undefined));

    await applyInOrder(messages(4), t.s);

    expect(t.deadLettered).toEqual([{ offset: '102', cls: 'unknown' }]);
    expect(t.applied).toEqual(['100', '101', '103']);
  });

  it('should not dead-letter a message when an unclassified error goes away within the attempts', async () => {
    const t = steps((_slice, call) => (call < 3 ? new Error('flaky') : undefined));

    await applyInOrder(messages(4), t.s);

    expect(t.deadLettered).toEqual([]);
    expect(t.slices).toEqual([4, 4, 4, 4]);
  });

  it('should throw and leave the rest uncommitted when the group membership is lost', async () => {
    const lost = Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' });
    const t = steps((slice) => (slice.some((m) => m.offset === '101') ? lost : undefined));

    await expect(applyInOrder(messages(3), t.s)).rejects.toBe(lost);

    expect(t.deadLettered).toEqual([]);
    expect(t.progress).toEqual([]);
  });

  it('should retry dead-lettering until it succeeds when the dead-letter topic is unreachable', async () => {
    let refusals = 3;
    const t = steps(poisonAt('100'), {
      deadLetter: async () => {
        if (refusals-- > 0) throw Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError' });
      },
    });

    await applyInOrder(messages(2), t.s);

    expect(refusals).toBe(-1);
    expect(t.progress).toEqual(['100', '101']);
  });

  it('should stop between slices without reporting progress when the consumer stops', async () => {
    let running = true;
    const t = steps(
      (slice) => {
        running = false;
        return slice.length > 1 ? new DataError('bad') : undefined;
      },
      { shouldContinue: () => running },
    );

    expect(await applyInOrder(messages(4), t.s)).toBe(false);
    expect(t.progress).toEqual([]);
  });
});
