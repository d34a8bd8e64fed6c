import type { EncodedMessage } from '@agent-ledger/contracts';
import { CoalescingSender, SenderBusyError, SendTimeoutError } from './coalescing-sender';
import type { LedgerProducer } from './producer';

/** A producer whose sends complete when the test says so. */
class GatedProducer {
  readonly calls: string[][] = [];
  private gates: { resolve(): void; reject(err: Error): void }[] = [];

  send(_topic: string, messages: EncodedMessage[]): Promise<void> {
    this.calls.push(messages.map((m) => m.key));
    return new Promise((resolve, reject) => this.gates.push({ resolve, reject }));
  }

  release(): void {
    this.gates.shift()?.resolve();
  }

  fail(err: Error): void {
    this.gates.shift()?.reject(err);
  }
}

const msgs = (...keys: string[]): EncodedMessage[] => keys.map((key) => ({ key, value: '{}', headers: {} }));
const tick = () => new Promise((r) => setImmediate(r));

describe(CoalescingSender.name, () => {
  let producer: GatedProducer;
  let sender: CoalescingSender;

  beforeEach(() => {
    producer = new GatedProducer();
    sender = new CoalescingSender(producer as unknown as LedgerProducer, 'topic', { maxPendingMessages: 5 });
  });

  it('should combine the messages of callers waiting behind a send into one produce call, in arrival order', async () => {
    const first = sender.send(msgs('a'), 10_000);
    await tick();
    const second = sender.send(msgs('b', 'c'), 10_000);
    const third = sender.send(msgs('d'), 10_000);
    producer.release();
    await first;
    await tick();
    expect(producer.calls).toEqual([['a'], ['b', 'c', 'd']]);
    producer.release();
    await Promise.all([second, third]);
    expect(sender.pending).toBe(0);
  });

  it('should refuse at once when the pending cap would be passed, and accept again once it drained', async () => {
    const first = sender.send(msgs('a', 'b', 'c', 'd'), 10_000);
    await expect(sender.send(msgs('e', 'f'), 10_000)).rejects.toBeInstanceOf(SenderBusyError);
    producer.release();
    await first;
    const again = sender.send(msgs('e', 'f'), 10_000);
    await tick();
    producer.release();
    await expect(again).resolves.toBeUndefined();
  });

  it('should withdraw a caller whose deadline passed before its messages were sent, so nothing of it is written later', async () => {
    const first = sender.send(msgs('a'), 10_000);
    await tick();
    const late = sender.send(msgs('b'), 20);
    await expect(late).rejects.toEqual(expect.objectContaining({ written: 'no' }));
    expect(sender.pending).toBe(1);
    producer.release();
    await first;
    await tick();
    expect(producer.calls).toEqual([['a']]);
  });

  it('should answer a timeout that may still be written when the send was already under way, and count it until it settles', async () => {
    const slow = sender.send(msgs('a', 'b'), 20);
    await expect(slow).rejects.toBeInstanceOf(SendTimeoutError);
    await expect(slow).rejects.toEqual(expect.objectContaining({ written: 'maybe' }));
    expect(sender.pending).toBe(2);
    producer.release();
    await tick();
    expect(sender.pending).toBe(0);
  });

  it('should reject every caller of a failed produce call with its error', async () => {
    const a = sender.send(msgs('a'), 10_000);
    await tick();
    producer.fail(new Error('broker gone'));
    await expect(a).rejects.toThrow('broker gone');
    expect(sender.pending).toBe(0);
  });
});
