import {
  ACTION_EVENT_LIMITS,
  checkJsonText,
  EARLIEST_INSTANT,
  LATEST_INSTANT,
  MAX_JSON_DEPTH,
  validateActionEvent,
  validateActionEventInput,
  validateCheckpoint,
  validateEscalationEvent,
  type FieldError,
  type ValidationResult,
} from './index';

// The intake contract (docs/intake-contract.md): every class of refusal names the field, in the
// input form (ingest, SDK) and in the stored form (what Kafka carries).

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const input = { type: 'action.attempted', actionId: 'act_1', tool: { name: 'refund', riskLevel: 'safe' } };
const stored = { ...input, eventId: '0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a', tenantId: TENANT, occurredAt: '2025-03-01T10:00:00Z', receivedAt: '2025-03-01T10:00:01Z' };

const errorsOf = (r: ValidationResult<unknown>): FieldError[] => (r.ok ? [] : r.errors);
const pointersAndCodes = (r: ValidationResult<unknown>) => errorsOf(r).map((e) => [e.pointer, e.code]);

function nest(levels: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < levels; i++) v = { v };
  return v;
}

describe('intake contract', () => {
  describe.each([
    ['validateActionEventInput', validateActionEventInput, input],
    ['validateActionEvent', validateActionEvent, stored],
  ] as const)('%s', (_name, validate, base) => {
    it.each([
      ['/input/note', 'a\u0000b'],
      ['/input/note', 'lone \uD800 high'],
      ['/input/note', 'lone \uDC00 low'],
      ['/input/list/1', ['ok', '\u0000']],
      ['/sessionId', 'sess\u0000'],
    ])('should refuse %s with code text when a string holds NUL or a lone surrogate', (pointer, value) => {
      const event = pointer === '/sessionId' ? { ...base, sessionId: value } : { ...base, input: pointer === '/input/note' ? { note: value } : { list: value } };

      const errors = errorsOf(validate(event));

      expect(errors).toContainEqual(expect.objectContaining({ pointer, code: 'text' }));
      expect(errors.find((e) => e.code === 'text')?.message).toMatch(/^(input\.note|input\.list\[1\]|sessionId) must not contain/);
    });

    it('should refuse a key holding NUL with code text naming the key', () => {
      expect(pointersAndCodes(validate({ ...base, input: { ok: 1, 'k\u0000': 1 } }))).toEqual([['/input/k\u0000', 'text']]);
    });

    it('should accept well-formed pairs, emoji and non-characters when text is valid Unicode', () => {
      expect(validate({ ...base, input: { s: '😀 \uD83D\uDE00 \uFFFE \uFFFF é\u0301 \u200B', '🔑': 'ü' } }).ok).toBe(true);
    });

    it('should accept the deepest event allowed and refuse one level more with code depth', () => {
      // The event is level 1 and input level 2: input spans at most 63 levels of objects.
      expect(validate({ ...base, input: nest(MAX_JSON_DEPTH - 1) }).ok).toBe(true);
      const errors = errorsOf(validate({ ...base, input: nest(MAX_JSON_DEPTH) }));
      expect(errors).toEqual([expect.objectContaining({ code: 'depth', pointer: expect.stringMatching(/^\/input(\/v)+$/) })]);
    });

    it('should refuse 10,000 levels without exhausting the stack when nesting is hostile', () => {
      let deep: unknown = 0;
      for (let i = 0; i < 10_000; i++) deep = [deep];

      expect(errorsOf(validate({ ...base, input: { deep } })).map((e) => e.code)).toEqual(['depth']);
    });

    it.each([Infinity, -Infinity, NaN])('should refuse %s in a free-form object with code finite', (n) => {
      expect(pointersAndCodes(validate({ ...base, input: { amount: n } }))).toEqual([['/input/amount', 'finite']]);
    });

    it('should accept integers beyond 2^53 as the double JSON.parse reads them', () => {
      const event = JSON.parse(JSON.stringify({ ...base, input: { n: 0 } }).replace('"n":0', '"n":12345678901234567890'));

      expect(validate(event).ok).toBe(true);
      expect(event.input.n).toBe(12345678901234567000);
    });

    it.each([
      ['1970-01-01T00:00:00Z', true],
      ['1970-01-01T01:00:00+01:00', true],
      [LATEST_INSTANT, true],
      ['9999-12-31T23:59:59.999999Z', true],
      ['1969-12-31T23:59:59.999Z', false],
      ['1970-01-01T00:59:59+01:00', false],
      ['1900-01-01T00:00:00Z', false],
      ['0001-01-01T00:00:00Z', false],
      ['0000-01-01T00:00:00Z', false],
      ['9999-12-31T23:59:59-01:00', false],
    ])('should check occurredAt %s against the instant range (accepted: %s)', (occurredAt, accepted) => {
      const result = validate({ ...base, occurredAt });

      expect(pointersAndCodes(result)).toEqual(accepted ? [] : [['/occurredAt', 'range']]);
      if (!accepted) expect(errorsOf(result)[0].message).toBe(`occurredAt must be between ${EARLIEST_INSTANT} and ${LATEST_INSTANT}`);
    });
  });

  it('should refuse an input over the input byte limit with code tooLarge on the event', () => {
    const filler = (bytes: number) => 'x'.repeat(bytes - Buffer.byteLength(JSON.stringify({ ...input, input: { s: '' } })));
    const atLimit = { ...input, input: { s: filler(ACTION_EVENT_LIMITS.inputMaxBytes) } };

    expect(validateActionEventInput(atLimit).ok).toBe(true);
    expect(errorsOf(validateActionEventInput({ ...atLimit, input: { s: `${atLimit.input.s}x` } }))).toEqual([
      { pointer: '', code: 'tooLarge', message: `event must be at most ${ACTION_EVENT_LIMITS.inputMaxBytes} bytes as JSON (is ${ACTION_EVENT_LIMITS.inputMaxBytes + 1})` },
    ]);
  });

  it('should measure UTF-8 bytes, not characters, when checking the event size', () => {
    const chars = Math.ceil(ACTION_EVENT_LIMITS.inputMaxBytes / 3);

    expect(pointersAndCodes(validateActionEventInput({ ...input, input: { s: '€'.repeat(chars) } }))).toEqual([['', 'tooLarge']]);
  });

  it('should keep room for stamping when an input at the limit is stamped', () => {
    const filler = 'x'.repeat(ACTION_EVENT_LIMITS.inputMaxBytes - Buffer.byteLength(JSON.stringify({ ...input, input: { s: '' } })));
    const stamped = { ...stored, input: { s: filler } };

    expect(validateActionEvent(stamped).ok).toBe(true);
  });

  it('should apply the text rules and the range to escalation events, naming the field', () => {
    const ack = {
      type: 'escalation.acknowledged',
      eventId: '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
      escalationId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
      tenantId: TENANT,
      sessionId: 'sess_7',
      occurredAt: '2025-03-01T10:05:00Z',
      acknowledgedBy: 'jane',
    };

    expect(validateEscalationEvent(ack).ok).toBe(true);
    expect(pointersAndCodes(validateEscalationEvent({ ...ack, note: 'a\u0000b' }))).toEqual([['/note', 'text']]);
    expect(pointersAndCodes(validateEscalationEvent({ ...ack, acknowledgedBy: '\uDC00' }))).toEqual([['/acknowledgedBy', 'text']]);
    expect(pointersAndCodes(validateEscalationEvent({ ...ack, occurredAt: '1901-01-01T00:00:00Z' }))).toEqual([['/occurredAt', 'range']]);
  });

  it('should apply the text rules to checkpoints, naming the field', () => {
    const cp = { checkpointId: '1d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a', tenantId: TENANT, createdAt: '2025-03-01T10:05:00Z', heads: [], keyId: 'k\u0000', signature: 'c2ln' };

    expect(pointersAndCodes(validateCheckpoint(cp))).toEqual([['/keyId', 'text']]);
  });

  it('should name each branch that nests too deep and go on reporting text problems elsewhere', () => {
    const errors = checkJsonText({ a: nest(100), b: [nest(100)], c: 'x\u0000' });

    expect(errors.map((e) => [e.pointer.slice(0, 2), e.code])).toEqual([
      ['/a', 'depth'],
      ['/b', 'depth'],
      ['/c', 'text'],
    ]);
  });
});
