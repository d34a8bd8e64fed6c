import type { KafkaMessage } from '@agent-ledger/kafka';
import { anActionEvent } from '@agent-ledger/testing';
import { intakeMessage } from './event-intake';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const msg = (value: string | null, offset = '7'): KafkaMessage => ({ key: null, value: value === null ? null : Buffer.from(value), offset, timestamp: '0', attributes: 0, headers: {}, size: 0 }) as unknown as KafkaMessage;

describe(intakeMessage.name, () => {
  it('should accept a valid stored event with its derived columns', () => {
    const event = anActionEvent(TENANT, { type: 'action.executed' });

    const result = intakeMessage(msg(JSON.stringify(event)));

    expect(result).toMatchObject({ ok: true, value: { offset: 7n, event, columns: { tenantId: TENANT, eventId: event.eventId, type: 'action.executed' } } });
  });

  it.each([
    ['empty', null, /empty message/],
    ['invalid_json', '{"type":', /invalid JSON/],
    ['schema', JSON.stringify({ type: 'action.attempted' }), /\/actionId required.*\/eventId required/],
    ['schema', JSON.stringify({ ...anActionEvent(TENANT), occurredAt: '0000-01-01T00:00:00Z' }), /\/occurredAt range/],
    ['schema', JSON.stringify({ ...anActionEvent(TENANT), occurredAt: '1900-01-01T00:00:00Z' }), /\/occurredAt range/],
    ['schema', JSON.stringify(anActionEvent(TENANT, { input: { note: 'a\u0000b' } })), /\/input\/note text/],
  ])('should reject with code %s when the message is malformed', (code, value, reason) => {
    const result = intakeMessage(msg(value));

    expect(result.ok).toBe(false);
    expect(result.value).toMatchObject({ code, offset: 7n });
    expect((result.value as { reason: string }).reason).toMatch(reason);
  });

  it('should reject a non-finite number hidden in a free-form object', () => {
    const json = JSON.stringify(anActionEvent(TENANT, { type: 'action.attempted', input: { amount: 1 } })).replace('"amount":1', '"amount":1e400');

    expect(intakeMessage(msg(json))).toMatchObject({ ok: false, value: { code: 'schema', reason: expect.stringContaining('/input/amount finite') } });
  });
});

describe('intakeMessage limits', () => {
  it('should reject a deeply nested free-form object instead of failing on every delivery', () => {
    let nested = '1';
    for (let i = 0; i < 20_000; i++) nested = `[${nested}]`;
    const json = JSON.stringify(anActionEvent(TENANT, { type: 'action.attempted', input: { deep: 0 } })).replace('"deep":0', `"deep":${nested}`);

    expect(intakeMessage(msg(json))).toMatchObject({ ok: false, value: { code: 'schema', reason: expect.stringMatching(/depth: .*nests deeper than 64 levels/) } });
  });
});

describe('intakeMessage reasons', () => {
  it('should not quote the message content when the JSON is invalid', () => {
    const result = intakeMessage(msg('{"email": "jane@example.com" oops}'));

    expect(result).toMatchObject({ ok: false, value: { code: 'invalid_json' } });
    expect((result.value as { reason: string }).reason).not.toContain('jane');
  });
});
