import { backoffDelay, isRetryableStatus, parseRetryAfter } from './retry-policy';

describe('retry policy', () => {
  describe(parseRetryAfter.name, () => {
    it('should read delay-seconds when the header is a number', () => {
      expect(parseRetryAfter('2')).toBe(2_000);
      expect(parseRetryAfter(' 0.25 ')).toBe(250);
    });

    it('should read the time left when the header is an HTTP-date', () => {
      const now = Date.parse('2025-01-31T09:30:00Z');
      expect(parseRetryAfter('Fri, 31 Jan 2025 09:30:03 GMT', now)).toBe(3_000);
      expect(parseRetryAfter('Fri, 31 Jan 2025 09:29:00 GMT', now)).toBe(0);
    });

    it('should return undefined when the header is absent or unparsable', () => {
      expect(parseRetryAfter(null)).toBeUndefined();
      expect(parseRetryAfter('')).toBeUndefined();
      expect(parseRetryAfter('soon')).toBeUndefined();
      expect(parseRetryAfter('-1')).toBeUndefined();
    });
  });

  describe(backoffDelay.name, () => {
    const options = { baseDelayMs: 100, maxDelayMs: 1_000 };

    it('should double the cap per retry and draw from its upper half when jittered', () => {
      expect([0, 1, 2, 3].map((r) => backoffDelay(r, options, () => 0))).toEqual([50, 100, 200, 400]);
      expect([0, 1, 2, 3].map((r) => backoffDelay(r, options, () => 1))).toEqual([100, 200, 400, 800]);
    });

    it('should stay under maxDelayMs when many retries failed', () => {
      expect(backoffDelay(20, options, () => 1)).toBe(1_000);
    });
  });

  describe(isRetryableStatus.name, () => {
    it.each([429, 503, 502, 504, 500, 408])('should retry when the status is %i', (status) => expect(isRetryableStatus(status)).toBe(true));
    it.each([400, 401, 403, 404, 413, 415, 422])('should not retry when the status is %i', (status) => expect(isRetryableStatus(status)).toBe(false));
  });
});
