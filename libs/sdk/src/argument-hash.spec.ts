import { createHash } from 'node:crypto';
import { FreeTextScanner, REDACTED, redactEvent, scrubFreeText, type ActionEventInput } from '@agent-ledger/contracts';
import { argsHash, inputHash } from './argument-hash';
import { EventRecorder } from './event-recorder';
import type { LedgerEventInput } from './ledger-events';

/** A recorder that keeps what its helpers pass to `record` (the transports are tested elsewhere). */
class RecordingRecorder extends EventRecorder {
  readonly recorded: LedgerEventInput[] = [];
  async record(event: LedgerEventInput): Promise<string> {
    this.recorded.push(event);
    return 'event-id';
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe(inputHash.name, () => {
  it('should hash the canonical JSON (RFC 8785) of the input in lowercase hex', () => {
    const input = { orderId: 'o-1', amount: 25, lines: [{ sku: 'b', qty: 1 }], note: 'é' };

    expect(inputHash(input)).toBe(sha256('{"amount":25,"lines":[{"qty":1,"sku":"b"}],"note":"é","orderId":"o-1"}'));
    expect(inputHash(input)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('should give the same hash when only the order of the keys differs, at any depth', () => {
    const a = { to: 'x@example.com', refund: { amount: 25, currency: 'EUR' }, tags: ['a', 'b'] };
    const b = { tags: ['a', 'b'], refund: { currency: 'EUR', amount: 25 }, to: 'x@example.com' };

    expect(inputHash(b)).toBe(inputHash(a));
    expect(argsHash(b)).toBe(inputHash(a));
  });

  it('should give another hash when a value, a number form or the order of an array differs', () => {
    const base = inputHash({ amount: 25, tags: ['a', 'b'] });

    expect(inputHash({ amount: 26, tags: ['a', 'b'] })).not.toBe(base);
    expect(inputHash({ amount: '25', tags: ['a', 'b'] })).not.toBe(base);
    expect(inputHash({ amount: 25, tags: ['b', 'a'] })).not.toBe(base);
  });

  it('should throw a TypeError when the input has no JSON form', () => {
    expect(() => inputHash({ amount: Number.NaN })).toThrow(TypeError);
  });
});

describe(`${EventRecorder.name} hashes`, () => {
  it('should set approval.argsHash from the input shown to the approver when confirmed', async () => {
    const recorder = new RecordingRecorder();
    const input = { amount: 25, password: 'hunter2' };

    await recorder.confirmed({ actionId: 'a-1', input, approval: { required: true, decision: 'approved', approvedBy: 'lead' } });

    expect(recorder.recorded[0]).toMatchObject({ type: 'action.confirmed', input, approval: { decision: 'approved', argsHash: inputHash(input) } });
  });

  it('should keep an argsHash the caller gives and add none without an input', async () => {
    const recorder = new RecordingRecorder();
    const given = 'a'.repeat(64);

    await recorder.confirmed({ actionId: 'a-1', input: { amount: 1 }, approval: { required: true, decision: 'approved', argsHash: given } });
    await recorder.confirmed({ actionId: 'a-2', approval: { required: true, decision: 'approved' } });

    expect(recorder.recorded[0].approval?.argsHash).toBe(given);
    expect(recorder.recorded[1].approval).not.toHaveProperty('argsHash');
  });

  it('should set inputHash from the input that ran when executed', async () => {
    const recorder = new RecordingRecorder();

    await recorder.executed({ actionId: 'a-1', input: { b: 2, a: 1 } });
    await recorder.executed({ actionId: 'a-2' });

    expect(recorder.recorded[0]).toMatchObject({ type: 'action.executed', inputHash: inputHash({ a: 1, b: 2 }) });
    expect(recorder.recorded[1]).not.toHaveProperty('inputHash');
  });
});

describe('redaction of hashed events', () => {
  it('should leave inputHash and approval.argsHash alone while it redacts the input they were taken over', () => {
    const input = { apiKey: 'sk-live-123', card: '4111111111111111', amount: 25 };
    const hash = inputHash(input);
    const event: ActionEventInput = {
      eventId: '2f1c4d7e-5a6b-4c3d-8e9f-0a1b2c3d4e5f',
      type: 'action.executed',
      occurredAt: '2026-01-01T00:00:00.000Z',
      actionId: 'a-1',
      input,
      inputHash: hash,
      approval: { required: true, decision: 'approved', argsHash: hash },
    };

    // Tenant key and value patterns that would match the hash fields if ingest walked them.
    const { event: keyed } = redactEvent(event, ['hash', 'args']);
    const scanner = new FreeTextScanner({ valuePatterns: ['[0-9a-f]{64}'], freeTextPii: 'redact', phoneRegion: 'US' });
    const { event: redacted } = scrubFreeText(keyed, scanner);

    expect(redacted.input).toEqual({ apiKey: REDACTED, card: REDACTED, amount: 25 });
    expect(redacted.inputHash).toBe(hash);
    expect(redacted.approval?.argsHash).toBe(hash);
    expect(inputHash(redacted.input ?? {})).not.toBe(hash);
  });
});
