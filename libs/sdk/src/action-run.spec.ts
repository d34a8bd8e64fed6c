import { runAction, errorOf } from './action-run';
import { inputHash } from './argument-hash';
import { EventRecorder } from './event-recorder';
import type { AttemptedEvent, LedgerEventInput } from './ledger-events';

/** A recorder that keeps what it is given (the typed helpers run for real), failing on the types listed. */
class MemoryRecorder extends EventRecorder {
  readonly events: LedgerEventInput[] = [];
  constructor(private readonly failOn: string[] = []) {
    super();
  }
  async record(event: LedgerEventInput): Promise<string> {
    if (this.failOn.includes(event.type)) throw new Error(`cannot record ${event.type}`);
    this.events.push(event);
    return event.eventId ?? 'id';
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const action: AttemptedEvent = {
  eventId: '6f1c2b3a-4d5e-4f60-8a7b-9c0d1e2f3a4b',
  occurredAt: '2026-01-01T10:00:00.000Z',
  sessionId: 's-1',
  taskId: 'task-1',
  agent: { id: 'support-bot', name: 'Support bot' },
  actor: { type: 'agent', id: 'support-bot' },
  tool: { name: 'refund_order', riskLevel: 'destructive' },
  input: { orderId: 'A-1', amount: 25 },
  approval: { required: false, decision: 'not_required' },
};

describe(runAction.name, () => {
  it('should record attempted, run the function with the action id, then executed with the output, duration, input hash and the attempt context', async () => {
    const ledger = new MemoryRecorder();
    const seen: string[] = [];
    const result = await runAction(ledger, action, async (actionId) => {
      seen.push(actionId);
      return { refunded: true };
    });
    expect(result).toEqual({ refunded: true });
    const [attempted, executed] = ledger.events;
    expect(ledger.events.map((e) => e.type)).toEqual(['action.attempted', 'action.executed']);
    expect(seen).toEqual([attempted.actionId]);
    expect(executed).toMatchObject({ actionId: attempted.actionId, sessionId: 's-1', taskId: 'task-1', tool: action.tool, approval: action.approval, output: { refunded: true }, inputHash: inputHash(action.input) });
    expect(executed.durationMs).toEqual(expect.any(Number));
    // The terminal event is an event of its own: not the attempt's id or time.
    expect(executed.eventId).toBeUndefined();
    expect(executed.occurredAt).toBeUndefined();
  });

  it('should record failed with the error and rethrow it', async () => {
    const ledger = new MemoryRecorder();
    const boom = new RangeError('amount above the limit');
    await expect(runAction(ledger, { ...action, actionId: 'a-1' }, () => Promise.reject(boom))).rejects.toBe(boom);
    expect(ledger.events.map((e) => [e.type, e.actionId])).toEqual([
      ['action.attempted', 'a-1'],
      ['action.failed', 'a-1'],
    ]);
    expect(ledger.events[1]).toMatchObject({ error: { message: 'amount above the limit', code: 'RangeError' }, durationMs: expect.any(Number), sessionId: 's-1' });
  });

  it('should record no output for a result that is not a plain object, unless told how', async () => {
    const plain = new MemoryRecorder();
    await runAction(plain, action, () => 42);
    expect(plain.events[1]).not.toHaveProperty('output');
    const mapped = new MemoryRecorder();
    await runAction(mapped, action, () => 42, { output: (n) => ({ n }) });
    expect(mapped.events[1]).toMatchObject({ output: { n: 42 } });
  });

  it("should throw the function's error, not a failure to record its failed event, and throw a failure to record executed", async () => {
    const boom = new Error('upstream down');
    await expect(runAction(new MemoryRecorder(['action.failed']), action, () => Promise.reject(boom))).rejects.toBe(boom);
    await expect(runAction(new MemoryRecorder(['action.executed']), action, () => ({}))).rejects.toThrow('cannot record action.executed');
  });

  it('should not run the function when the attempt cannot be recorded', async () => {
    const fn = jest.fn();
    await expect(runAction(new MemoryRecorder(['action.attempted']), action, fn)).rejects.toThrow('cannot record action.attempted');
    expect(fn).not.toHaveBeenCalled();
  });
});

describe(errorOf.name, () => {
  it('should keep an error within the schema limits and describe a thrown non-Error', () => {
    expect(errorOf(new Error('x'.repeat(5_000))).message).toHaveLength(4_000);
    expect(errorOf('plain text')).toEqual({ message: 'plain text' });
    expect(errorOf(undefined)).toEqual({ message: 'the action threw a non-Error value' });
  });
});
