import { anActionEvent } from '@agent-ledger/testing';
import { DEFAULT_SETTINGS, resolveSettings, settingsInputSchema, TENANT_ALERT_REASONS } from './settings';
import { countAbove, errorRateAbove, latencyAbove, percentile, windowFeed } from './window-rules';

const T = '00000000-0000-4000-8000-000000000001';

const allOn = resolveSettings({
  rules: {
    session_too_long: { enabled: true, maxDurationMs: 60_000 },
    session_too_complex: { enabled: true, maxEvents: 5 },
    tenant_error_rate: { enabled: true },
    tenant_failure_burst: { enabled: true },
    tenant_tool_latency: { enabled: true },
    tenant_change_burst: { enabled: true },
  },
});

describe('windowFeed', () => {
  it('should feed nothing when the new rules keep their defaults (off)', () => {
    for (const type of ['action.failed', 'action.executed', 'change.recorded'] as const) {
      expect(windowFeed(anActionEvent(T, { type, sessionId: 's', tool: { name: 'x', riskLevel: 'safe' }, durationMs: 10 }), DEFAULT_SETTINGS)).toEqual({ failure: false, change: false });
    }
  });

  it('should feed a failed action with a duration to the session, the error rate, the failure burst and the latency of its tool when every rule is on', () => {
    const e = anActionEvent(T, { type: 'action.failed', sessionId: 's1', tool: { name: 'lookup', riskLevel: 'safe' }, durationMs: 250 });
    expect(windowFeed(e, allOn)).toEqual({
      session: { sessionId: 's1', maxDurationMs: 60_000, maxEvents: 5 },
      finished: { failed: true },
      failure: true,
      latency: { tool: 'lookup', durationMs: 250 },
      change: false,
    });
  });

  it('should count an executed action as finished but not as a failure, and skip latency without a duration', () => {
    const f = windowFeed(anActionEvent(T, { type: 'action.executed', sessionId: 's', tool: { name: 'x', riskLevel: 'safe' }, durationMs: undefined }), allOn);
    expect(f.finished).toEqual({ failed: false });
    expect(f.failure).toBe(false);
    expect(f.latency).toBeUndefined();
  });

  it('should feed only the session counters with an attempt, and only the change burst with a change.recorded without a session', () => {
    const attempt = windowFeed(anActionEvent(T, { type: 'action.attempted', sessionId: 's' }), allOn);
    expect(attempt).toEqual({ session: { sessionId: 's', maxDurationMs: 60_000, maxEvents: 5 }, failure: false, change: false });
    const change = windowFeed(anActionEvent(T, { type: 'change.recorded', sessionId: undefined }), allOn);
    expect(change).toEqual({ failure: false, change: true });
  });

  it('should leave a rule that is off out of the session feed', () => {
    const onlyLong = resolveSettings({ rules: { session_too_long: { enabled: true, maxDurationMs: 5_000 } } });
    expect(windowFeed(anActionEvent(T, { type: 'signal.rate_limited', sessionId: 's' }), onlyLong).session).toEqual({ sessionId: 's', maxDurationMs: 5_000, maxEvents: undefined });
  });
});

describe('errorRateAbove', () => {
  const rule = { ...DEFAULT_SETTINGS.rules.tenant_error_rate, maxErrorRatePercent: 50, minActions: 4 };

  it('should not fire below the minimum number of finished actions, even at 100 %', () => {
    expect([1, 2, 3].map((n) => errorRateAbove(n, n, rule))).toEqual([false, false, false]);
  });

  it('should fire only strictly above the percentage', () => {
    expect(errorRateAbove(2, 4, rule)).toBe(false);
    expect(errorRateAbove(3, 5, rule)).toBe(true);
    expect(errorRateAbove(5, 10, rule)).toBe(false);
    expect(errorRateAbove(0, 0, { ...rule, minActions: 1, maxErrorRatePercent: 0 })).toBe(false);
    expect(errorRateAbove(1, 1_000, { ...rule, maxErrorRatePercent: 0 })).toBe(true);
  });
});

describe('percentile', () => {
  it('should take the nearest rank of the sorted values', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 10).reverse();
    // Rank ceil(0.95 * 20) = 19 of 10..200.
    expect(percentile(values, 95)).toBe(190);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([1, 2, 3, 4, 5], 95)).toBe(5);
    expect(percentile([1, 2, 3, 4, 5], 50)).toBe(3);
    expect(percentile([], 95)).toBeNaN();
  });
});

describe('latencyAbove', () => {
  const rule = { ...DEFAULT_SETTINGS.rules.tenant_tool_latency, maxP95Ms: 1_000, minSamples: 5 };

  it('should need the minimum number of samples and a p95 strictly above the bound', () => {
    expect(latencyAbove([3_000, 3_000, 3_000, 3_000], rule)).toBe(false);
    expect(latencyAbove([3_000, 3_000, 3_000, 3_000, 3_000], rule)).toBe(true);
    expect(latencyAbove([1_000, 1_000, 1_000, 1_000, 1_000], rule)).toBe(false);
    // 19 fast runs and one slow: the slow one is the 20th rank, above the 95th percentile.
    expect(latencyAbove([...Array(19).fill(100), 9_000], rule)).toBe(false);
    expect(latencyAbove([...Array(18).fill(100), 9_000, 9_000], rule)).toBe(true);
  });
});

describe('countAbove', () => {
  it('should fire at one more than the allowed number', () => {
    expect([2, 3, 4].map((n) => countAbove(n, 3))).toEqual([false, false, true]);
  });
});

describe('settings of the new rules', () => {
  it('should keep the new rules off with a cooldown of their own and scope tenant for the alerts', () => {
    expect(DEFAULT_SETTINGS.rules.session_too_long.enabled).toBe(false);
    expect(DEFAULT_SETTINGS.rules.session_too_complex.enabled).toBe(false);
    for (const reason of TENANT_ALERT_REASONS) {
      expect(DEFAULT_SETTINGS.rules[reason]).toMatchObject({ enabled: false, scope: 'tenant', cooldownMs: 30 * 60_000 });
    }
  });

  it('should name the field of each invalid alert setting', () => {
    const r = settingsInputSchema.safeParse({
      rules: {
        tenant_error_rate: { maxErrorRatePercent: 100, minActions: 0, scope: 'session' },
        tenant_failure_burst: { maxFailures: 2.5, cooldownMs: 10 },
        tenant_tool_latency: { maxSamples: 5 },
        tenant_change_burst: { windowMs: 'minute' },
        session_too_long: { maxDurationMs: -1 },
        session_too_complex: { maxEvents: 0 },
      },
    });
    const paths = r.success ? [] : r.error.issues.map((i) => i.path.join('/')).sort();
    expect(paths).toEqual([
      'rules/session_too_complex/maxEvents',
      'rules/session_too_long/maxDurationMs',
      'rules/tenant_change_burst/windowMs',
      'rules/tenant_error_rate',
      'rules/tenant_error_rate/maxErrorRatePercent',
      'rules/tenant_error_rate/minActions',
      'rules/tenant_failure_burst/cooldownMs',
      'rules/tenant_failure_burst/maxFailures',
      'rules/tenant_tool_latency/maxSamples',
    ]);
  });

  it('should refuse a minimum of latency samples above the kept maximum, compared with the default when one is unset', () => {
    const r = settingsInputSchema.safeParse({ rules: { tenant_tool_latency: { minSamples: DEFAULT_SETTINGS.rules.tenant_tool_latency.maxSamples + 1 } } });
    expect(r.success ? [] : r.error.issues.map((i) => [i.path.join('/'), i.message])).toEqual([
      ['rules/tenant_tool_latency/minSamples', `minSamples must be at most maxSamples (${DEFAULT_SETTINGS.rules.tenant_tool_latency.maxSamples})`],
    ]);
    expect(settingsInputSchema.safeParse({ rules: { tenant_tool_latency: { minSamples: 300, maxSamples: 300 } } }).success).toBe(true);
  });

  it('should apply a tenant alert override over its defaults', () => {
    const s = resolveSettings({ rules: { tenant_failure_burst: { enabled: true, maxFailures: 3, cooldownMs: 8_000 } } });
    expect(s.rules.tenant_failure_burst).toEqual({ ...DEFAULT_SETTINGS.rules.tenant_failure_burst, enabled: true, maxFailures: 3, cooldownMs: 8_000 });
  });
});
