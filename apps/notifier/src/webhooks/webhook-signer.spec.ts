import { createHmac, randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { formatSecret, signWebhook } from './webhook-signer';

describe('signWebhook', () => {
  const secret = randomBytes(32);
  const body = JSON.stringify({ type: 'escalation.opened', timestamp: '2026-01-01T00:00:00.000Z', data: { escalationId: 'e-1' } });

  it('should produce headers the standardwebhooks library verifies when signed with one secret', () => {
    const headers = signWebhook('msg-1', body, [secret]);
    expect(headers['webhook-id']).toBe('msg-1');
    expect(headers['webhook-timestamp']).toMatch(/^\d+$/);
    expect(new Webhook(formatSecret(secret)).verify(body, { ...headers })).toEqual(JSON.parse(body));
  });

  it('should sign v1,base64(HMAC-SHA256(id.timestamp.body)) when checked independently', () => {
    const at = new Date('2026-03-04T05:06:07.890Z');
    const headers = signWebhook('msg-2', body, [secret], at);
    expect(headers['webhook-timestamp']).toBe(String(Math.floor(at.getTime() / 1000)));
    const expected = createHmac('sha256', secret).update(`msg-2.${headers['webhook-timestamp']}.${body}`).digest('base64');
    expect(headers['webhook-signature']).toBe(`v1,${expected}`);
  });

  it('should carry one signature per secret so either verifies when a rotation is in its grace period', () => {
    const previous = randomBytes(32);
    const headers = signWebhook('msg-3', body, [secret, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const s of [secret, previous]) expect(new Webhook(formatSecret(s)).verify(body, { ...headers })).toBeTruthy();
    expect(() => new Webhook(formatSecret(randomBytes(32))).verify(body, { ...headers })).toThrow();
  });

  it('should not verify when the body was altered or the timestamp is over five minutes old', () => {
    const headers = signWebhook('msg-4', body, [secret]);
    expect(() => new Webhook(formatSecret(secret)).verify(body.replace('e-1', 'e-2'), { ...headers })).toThrow();
    const old = signWebhook('msg-4', body, [secret], new Date(Date.now() - 6 * 60_000));
    expect(() => new Webhook(formatSecret(secret)).verify(body, { ...old })).toThrow();
  });
});
