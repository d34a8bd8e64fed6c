import {
  actionEventsCodec,
  checkpointsCodec,
  encodedSize,
  escalationsCodec,
  MAX_PRODUCE_BYTES,
  REDACTED_PATHS_HEADER,
  REDACTED_PATHS_MAX_BYTES,
  REDACTED_PATHS_OMITTED_HEADER,
  SCHEMA_VERSION_HEADER,
  splitForProduce,
  type ActionEvent,
  type Checkpoint,
  type EncodedMessage,
  type EscalationEvent,
  type IncomingMessage,
} from '../index';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const event: ActionEvent = {
  eventId: '0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a',
  tenantId: TENANT,
  type: 'action.attempted',
  actionId: 'act_1',
  sessionId: 'sess_1',
  input: { password: '[REDACTED]', 'a,b%c': '[REDACTED]', nested: { list: [1, 2.5, 'ü'] } },
  traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  occurredAt: '2025-03-01T10:00:00Z',
  receivedAt: '2025-03-01T10:00:01.000Z',
};
const escalation: EscalationEvent = {
  type: 'escalation.acknowledged',
  eventId: '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
  escalationId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  tenantId: TENANT,
  sessionId: 'sess_7',
  occurredAt: '2025-03-01T10:05:00Z',
  acknowledgedBy: 'jane',
  note: 'on it',
};
const checkpoint: Checkpoint = {
  checkpointId: '1d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a',
  tenantId: TENANT,
  createdAt: '2025-03-01T10:05:00.000Z',
  heads: [{ partition: 0, chainSeq: '42', hash: 'a'.repeat(64) }],
  keyId: 'key-1',
  signature: 'c2lnbmF0dXJl',
};

/** What a consumer sees: Buffers, as kafkajs delivers them. */
const consumed = (m: EncodedMessage): IncomingMessage => ({
  key: Buffer.from(m.key),
  value: Buffer.from(m.value),
  headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v)])),
});
const raw = (value: string | null, headers: Record<string, string> = {}): IncomingMessage => ({ key: null, value: value === null ? null : Buffer.from(value), headers });

describe('actionEventsCodec', () => {
  it('should round-trip an event with its key, schema, traceparent and redacted pointers', () => {
    const encoded = actionEventsCodec.encode(event, { redactedPaths: ['/input/password', '/input/a,b%c'] });

    expect(encoded.key).toBe(`${TENANT}:act_1`);
    expect(encoded.headers).toMatchObject({ [SCHEMA_VERSION_HEADER]: 'action-event.v1', traceparent: event.traceparent });
    expect(actionEventsCodec.decode(consumed(encoded))).toEqual({
      ok: true,
      value: event,
      meta: { schemaVersion: 'action-event.v1', traceparent: event.traceparent, redactedPaths: ['/input/password', '/input/a,b%c'], redactedPathsOmitted: 0 },
    });
  });

  it('should list whole pointers up to the header limit and count the rest when many values were redacted', () => {
    const paths = Array.from({ length: 2_000 }, (_, i) => `/input/token${i}`);

    const { headers } = actionEventsCodec.encode(event, { redactedPaths: paths });
    const decoded = actionEventsCodec.decode(consumed({ key: 'k', value: JSON.stringify(event), headers }));

    expect(Buffer.byteLength(headers[REDACTED_PATHS_HEADER])).toBeLessThanOrEqual(REDACTED_PATHS_MAX_BYTES);
    expect(decoded.ok && decoded.meta.redactedPaths.length + decoded.meta.redactedPathsOmitted).toBe(2_000);
    expect(Number(headers[REDACTED_PATHS_OMITTED_HEADER])).toBeGreaterThan(0);
  });

  it.each([
    ['empty', raw(null)],
    ['invalid_json', raw('{"type":')],
    ['invalid_json', { key: null, value: Buffer.from([0x7b, 0xff, 0x7d]) }],
    ['schema_version', raw(JSON.stringify(event), { [SCHEMA_VERSION_HEADER]: 'action-event.v2' })],
    ['schema', raw(JSON.stringify({ type: 'action.attempted' }))],
    ['too_large', raw(`"${'x'.repeat(1_100_000)}"`)],
  ])('should refuse with code %s when the message cannot be decoded', (code, message) => {
    expect(actionEventsCodec.decode(message)).toMatchObject({ ok: false, code });
  });

  it.each([
    ['/input/k', 'text', { ...event, input: { k: 'a\u0000b' } }],
    ['/occurredAt', 'range', { ...event, occurredAt: '0000-01-01T00:00:00Z' }],
    ['/input/n', 'finite', JSON.stringify({ ...event, input: { n: 1 } }).replace('"n":1', '"n":1e400')],
  ])('should name %s (code %s) and never the value when the event breaks the contract', (pointer, code, value) => {
    const decoded = actionEventsCodec.decode(raw(typeof value === 'string' ? value : JSON.stringify(value)));

    expect(decoded).toMatchObject({ ok: false, code: 'schema', errors: [expect.objectContaining({ pointer, code })] });
    expect(!decoded.ok && decoded.reason).toContain(`${pointer} ${code}`);
    expect(!decoded.ok && decoded.reason).not.toContain('\u0000');
  });

  it('should keep a reason printable when the offending key holds a NUL', () => {
    const decoded = actionEventsCodec.decode(raw(JSON.stringify({ ...event, input: { 'k\u0000': 1 } })));

    expect(decoded.ok).toBe(false);
    expect(!decoded.ok && decoded.reason).toContain('/input/k\\u0000 text');
  });

  it('should refuse a message whose JSON does not parse without quoting it', () => {
    const decoded = actionEventsCodec.decode(raw('{"email": "jane@example.com" oops}'));

    expect(decoded).toMatchObject({ ok: false, code: 'invalid_json' });
    expect(!decoded.ok && decoded.reason).not.toContain('jane');
  });
});

describe('escalationsCodec', () => {
  it('should round-trip an escalation event keyed by tenant and session', () => {
    const encoded = escalationsCodec.encode(escalation);

    expect(encoded.key).toBe(`${TENANT}:sess_7`);
    expect(escalationsCodec.decode(consumed(encoded))).toEqual({ ok: true, value: escalation, meta: { schemaVersion: 'escalation-event.v1' } });
  });

  it('should refuse a note holding a NUL, naming the field', () => {
    const decoded = escalationsCodec.decode(raw(JSON.stringify({ ...escalation, note: 'a\u0000b' })));

    expect(decoded).toMatchObject({ ok: false, code: 'schema', errors: [expect.objectContaining({ pointer: '/note', code: 'text' })] });
  });
});

describe('checkpointsCodec', () => {
  it('should round-trip a checkpoint as canonical JSON keyed by tenant', () => {
    const encoded = checkpointsCodec.encode(checkpoint);

    expect(encoded.key).toBe(TENANT);
    expect(encoded.value.indexOf('"checkpointId"')).toBeLessThan(encoded.value.indexOf('"tenantId"'));
    expect(checkpointsCodec.decode(consumed(encoded))).toEqual({ ok: true, value: checkpoint, meta: { schemaVersion: 'checkpoint.v1' } });
  });

  it('should refuse a checkpoint created outside the instant range', () => {
    expect(checkpointsCodec.decode(raw(JSON.stringify({ ...checkpoint, createdAt: '1969-12-31T23:59:59Z' })))).toMatchObject({
      ok: false,
      code: 'schema',
      errors: [expect.objectContaining({ pointer: '/createdAt', code: 'range' })],
    });
  });
});

describe('splitForProduce', () => {
  const message = (bytes: number): EncodedMessage => ({ key: 'k', value: 'x'.repeat(bytes), headers: {} });

  it('should keep the order and put each group under the bound when messages are many', () => {
    const messages = Array.from({ length: 10 }, (_, i) => ({ ...message(100_000), key: String(i) }));

    const groups = splitForProduce(messages, MAX_PRODUCE_BYTES);

    expect(groups.flat().map((m) => m.key)).toEqual(messages.map((m) => m.key));
    expect(groups.length).toBeGreaterThan(1);
    for (const g of groups) expect(g.reduce((n, m) => n + encodedSize(m), 0)).toBeLessThanOrEqual(MAX_PRODUCE_BYTES);
  });

  it('should send a message larger than the bound alone when it cannot be split', () => {
    expect(splitForProduce([message(10), message(600_000), message(10)], MAX_PRODUCE_BYTES).map((g) => g.length)).toEqual([1, 1, 1]);
  });
});
