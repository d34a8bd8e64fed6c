import { nextEmailDelay, nextWebhookDelay, parseDuration, parseRetryAfter, parseSchedule, withJitter } from './retry-schedule';

describe('retry schedule', () => {
  const svix = parseSchedule('0,5s,5m,30m,2h,5h,10h,10h')!;
  const noJitter = { schedule: svix, jitter: 0, retryAfterMaxMs: 86_400_000 };

  it('should parse durations with units when given ms, s, m, h or d', () => {
    expect([parseDuration('250'), parseDuration('250ms'), parseDuration('5s'), parseDuration('5m'), parseDuration('2h'), parseDuration('1.5h'), parseDuration('5d')]).toEqual([
      250, 250, 5_000, 300_000, 7_200_000, 5_400_000, 432_000_000,
    ]);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('-5s')).toBeUndefined();
  });

  it('should read the Svix schedule as eight attempts when given the default', () => {
    expect(svix).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(parseSchedule('0,5s,later')).toBeUndefined();
    expect(parseSchedule(Array(51).fill('1s').join(','))).toBeUndefined();
  });

  it('should wait each scheduled delay when an attempt fails and stop when the last attempt failed', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7].map((made) => nextWebhookDelay(made, noJitter));
    expect(delays).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(nextWebhookDelay(8, noJitter)).toBeUndefined();
  });

  it('should keep each delay within ±jitter when jitter is set', () => {
    expect(nextWebhookDelay(1, { ...noJitter, jitter: 0.1, random: () => 0 })).toBe(4_500);
    expect(nextWebhookDelay(1, { ...noJitter, jitter: 0.1, random: () => 1 })).toBe(5_500);
    for (let i = 0; i < 200; i++) {
      const d = nextWebhookDelay(2, { ...noJitter, jitter: 0.1 })!;
      expect(d).toBeGreaterThanOrEqual(270_000);
      expect(d).toBeLessThanOrEqual(330_000);
    }
    expect(withJitter(0, 0.5)).toBe(0);
  });

  it('should wait for Retry-After when it asks for longer than the schedule, up to the cap', () => {
    expect(nextWebhookDelay(1, { ...noJitter, retryAfterMs: 60_000 })).toBe(60_000);
    expect(nextWebhookDelay(2, { ...noJitter, retryAfterMs: 60_000 })).toBe(300_000);
    expect(nextWebhookDelay(1, { ...noJitter, retryAfterMs: 999_999_999, retryAfterMaxMs: 3_600_000 })).toBe(3_600_000);
  });

  it('should double the email delay after each failure when backing off exponentially', () => {
    expect([1, 2, 3, 4].map((n) => nextEmailDelay(n, { baseMs: 30_000, jitter: 0 }))).toEqual([30_000, 60_000, 120_000, 240_000]);
  });

  it('should read Retry-After as seconds or as an HTTP date when the receiver sends either', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-1', now)).toBeUndefined();
  });
});
