import { randomUUID } from 'node:crypto';
import { validateActionEvent, validateActionEventInput } from './validate-action-event';

describe('actor.ip as a PII envelope', () => {
  const envelope = { $enc: 'v1', kid: randomUUID(), iv: 'AAAAAAAAAAAAAAAA', ct: 'AAAA', tag: 'AAAAAAAAAAAAAAAAAAAAAA==' };
  const input = { eventId: randomUUID(), type: 'signal.rate_limited', occurredAt: '2026-01-01T00:00:00Z', actor: { type: 'user', id: 'u-1', ip: envelope as unknown } };
  const stored = { ...input, tenantId: randomUUID(), receivedAt: '2026-01-01T00:00:01Z' };

  it('should be accepted in the stored form (what ingest publishes)', () => {
    expect(validateActionEvent(stored).ok).toBe(true);
  });

  it('should be refused from a producer, who sends an IP', () => {
    expect(validateActionEventInput(input)).toMatchObject({ ok: false, errors: [expect.objectContaining({ pointer: '/actor/ip' })] });
  });

  it('should refuse a malformed or extended envelope in the stored form, which is otherwise open', () => {
    for (const bad of [{ ...envelope, kid: 'not-a-uuid' }, { ...envelope, extra: 1 }, { $enc: 'v1', kid: envelope.kid }]) {
      expect(validateActionEvent({ ...stored, actor: { type: 'user', id: 'u-1', ip: bad } }).ok).toBe(false);
    }
  });
});
