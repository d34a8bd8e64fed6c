import { judgeResponse, WebhookDeliveryService } from './webhook-delivery.service';

describe(WebhookDeliveryService.name, () => {
  describe('judgeResponse', () => {
    const answer = (status: number, headers: Record<string, string> = {}, bodySnippet = '') => ({ status, headers, bodySnippet });

    it('should count the attempt as delivered when the answer is any 2xx', () => {
      for (const status of [200, 201, 202, 204]) expect(judgeResponse(answer(status)).outcome).toBe('delivered');
    });

    it('should retry when the answer is 5xx, 429 or 3xx, naming a redirect that was not followed', () => {
      expect(judgeResponse(answer(500, {}, 'boom'))).toMatchObject({ outcome: 'failed-retryable', statusCode: 500, error: 'HTTP 500: boom' });
      expect(judgeResponse(answer(429, { 'retry-after': '7' }))).toMatchObject({ outcome: 'failed-retryable', retryAfterMs: 7_000 });
      expect(judgeResponse(answer(302, { location: 'http://10.0.0.1/' })).error).toContain('redirect to http://10.0.0.1/ not followed');
    });

    it('should stop for good on 410 Gone and when the receiver aborts the message', () => {
      expect(judgeResponse(answer(410))).toMatchObject({ outcome: 'failed-permanent', gone: true });
      expect(judgeResponse(answer(400, { 'webhook-delivery': 'abort-message' }))).toMatchObject({ outcome: 'failed-permanent' });
    });
  });
});
