import { ConfigValidationError } from '@agent-ledger/config';
import { loadNotifierConfig } from './notifier.config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://x@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379' };

describe('loadNotifierConfig', () => {
  it('should default to the Svix schedule, a 15 s timeout and 5 days before disabling when nothing is set', () => {
    const cfg = loadNotifierConfig(base);
    expect(cfg.NOTIFIER_WEBHOOK_RETRY_SCHEDULE).toEqual([0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(cfg.NOTIFIER_WEBHOOK_TIMEOUT_MS).toBe(15_000);
    expect(cfg.NOTIFIER_ENDPOINT_DISABLE_AFTER).toBe(5 * 86_400_000);
    expect(cfg.smtp).toBeUndefined();
    expect(cfg.requireHttps).toBe(false);
  });

  it('should read SMTP from the URL and let separate variables override it when both are set', () => {
    const cfg = loadNotifierConfig({ ...base, SMTP_URL: 'smtps://mailer:p%40ss@smtp.example.com', SMTP_PORT: '2465' });
    expect(cfg.smtp).toMatchObject({ host: 'smtp.example.com', port: 2465, secure: true, user: 'mailer', password: 'p@ss' });
    expect(loadNotifierConfig({ ...base, SMTP_HOST: 'mx.local' }).smtp).toMatchObject({ host: 'mx.local', port: 587, secure: false });
  });

  it('should prefer LEDGER_DASHBOARD_URL when both names are set and fall back to DASHBOARD_URL when only it is', () => {
    expect(loadNotifierConfig({ ...base, DASHBOARD_URL: 'https://old.example/', LEDGER_DASHBOARD_URL: 'https://new.example/' }).dashboardUrl).toBe('https://new.example');
    expect(loadNotifierConfig({ ...base, DASHBOARD_URL: 'https://old.example/' }).dashboardUrl).toBe('https://old.example');
  });

  it('should reconcile report schedules every minute and poll report runs every 2 s when nothing is set, and refuse a poll below 100 ms', () => {
    const cfg = loadNotifierConfig(base);
    expect([cfg.NOTIFIER_REPORT_RECONCILE_MS, cfg.NOTIFIER_REPORT_RUNS_POLL_MS]).toEqual([60_000, 2_000]);
    expect(loadNotifierConfig({ ...base, NOTIFIER_REPORT_RUNS_POLL_MS: '250' }).NOTIFIER_REPORT_RUNS_POLL_MS).toBe(250);
    expect(() => loadNotifierConfig({ ...base, NOTIFIER_REPORT_RUNS_POLL_MS: '50' })).toThrow(ConfigValidationError);
  });

  it('should name each bad variable when the schedule, SMTP URL or timeout is invalid', () => {
    let err: unknown;
    try {
      loadNotifierConfig({ ...base, NOTIFIER_WEBHOOK_RETRY_SCHEDULE: '0,soon', SMTP_URL: 'http://mail', NOTIFIER_WEBHOOK_TIMEOUT_MS: '40000' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect((err as ConfigValidationError).problems.map((p) => p.variable).sort()).toEqual(['NOTIFIER_WEBHOOK_RETRY_SCHEDULE', 'NOTIFIER_WEBHOOK_TIMEOUT_MS', 'SMTP_URL']);
  });
});
