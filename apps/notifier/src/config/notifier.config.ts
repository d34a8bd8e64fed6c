import { base64Key, booleanFlag, commonEnv, loadConfig, port, previousMasterKeys } from '@agent-ledger/config';
import { NOTIFIER_GROUP } from '@agent-ledger/contracts';
import { z } from 'zod';
import { parseDuration, parseSchedule } from '../delivery/retry-schedule';

export const DEFAULT_PORT = 3303;

/** Svix's schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h after each failure. */
export const DEFAULT_WEBHOOK_SCHEDULE = '0,5s,5m,30m,2h,5h,10h,10h';

const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((v, ctx) => {
      const ms = parseDuration(v);
      if (ms === undefined) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be a duration: milliseconds, or a number with ms, s, m, h or d (e.g. 5m)' });
        return z.NEVER;
      }
      return ms;
    });

const list = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

export const envSchema = z
  .object({
    ...commonEnv,
    NOTIFIER_PORT: port(DEFAULT_PORT),
    /** Kafka consumer group of the escalations topic. */
    NOTIFIER_GROUP_ID: z.string().min(1).default(NOTIFIER_GROUP),
    NOTIFIER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
    /** How long a tenant's webhook filters over ledger events are cached by the action events consumer (group `<NOTIFIER_GROUP_ID>-events`). */
    NOTIFIER_EVENT_FILTER_CACHE_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
    /** Redis key prefix of the BullMQ queues (one namespace per deployment or test run). */
    NOTIFIER_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ".", "_" and "-" only (1-64)').default('agent-ledger'),
    /** Runs on a Redis whose maxmemory-policy is not noeviction (with a warning) instead of refusing to. */
    NOTIFIER_REDIS_ALLOW_EVICTION: booleanFlag(false),

    /** SMTP server as one URL (smtp:// or smtps://, credentials in the userinfo); SMTP_HOST etc. override its parts. */
    SMTP_URL: z.string().optional(),
    SMTP_HOST: z.string().optional(),
    SMTP_PORT: z.coerce.number().int().min(1).max(65_535).optional(),
    SMTP_USER: z.string().optional(),
    SMTP_PASSWORD: z.string().optional(),
    /** Implicit TLS from the first byte (port 465). */
    SMTP_SECURE: booleanFlag(false),
    /** Refuse to send unless the server upgrades the connection with STARTTLS. */
    SMTP_REQUIRE_TLS: booleanFlag(false),
    SMTP_TLS_REJECT_UNAUTHORIZED: booleanFlag(true),
    SMTP_FROM: z.string().default('agent-ledger <ledger@localhost>'),
    SMTP_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(300_000).default(30_000),
    NOTIFIER_EMAIL_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(5),
    /** First retry delay of an email; each further retry doubles it (with jitter). */
    NOTIFIER_EMAIL_BACKOFF: duration('30s'),
    NOTIFIER_EMAIL_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(5),

    /** Base of the links in notifications: `${LEDGER_DASHBOARD_URL}/escalations/<id>`. */
    LEDGER_DASHBOARD_URL: z.string().url().optional(),
    /** Older name of LEDGER_DASHBOARD_URL. */
    DASHBOARD_URL: z.string().url().optional(),

    /** Unwraps the webhook signing secrets (32 bytes, base64; the key audit-api wraps them with). */
    LEDGER_MASTER_KEY: base64Key(32).optional(),
    LEDGER_PREVIOUS_MASTER_KEYS: previousMasterKeys,
    /** Hosts or CIDRs webhooks may reach even though they are private, loopback or link-local. */
    LEDGER_WEBHOOK_ALLOWLIST: list,
    /** Only https:// endpoints (default: true when NODE_ENV=production). */
    LEDGER_WEBHOOK_REQUIRE_HTTPS: z.enum(['true', 'false', '1', '0']).optional(),
    NOTIFIER_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
    /** Delays before each attempt, comma-separated; the count is the number of attempts. */
    NOTIFIER_WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .default(DEFAULT_WEBHOOK_SCHEDULE)
      .transform((v, ctx) => {
        const s = parseSchedule(v);
        if (!s) {
          ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be 1-50 comma-separated durations (e.g. 0,5s,5m,30m)' });
          return z.NEVER;
        }
        return s;
      }),
    /** Each retry delay is spread by ± this fraction. */
    NOTIFIER_RETRY_JITTER: z.coerce.number().min(0).max(0.5).default(0.1),
    /** The longest Retry-After honoured. */
    NOTIFIER_RETRY_AFTER_MAX: duration('24h'),
    /** An endpoint whose deliveries fail without a success for this long is disabled. */
    NOTIFIER_ENDPOINT_DISABLE_AFTER: duration('5d'),
    NOTIFIER_WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),

    /** BullMQ job lock; a job whose worker died is retried once its lock expired. */
    NOTIFIER_LOCK_DURATION_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    NOTIFIER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
    NOTIFIER_MAX_STALLED_COUNT: z.coerce.number().int().min(1).max(20).default(2),
    /** How often deliveries waiting for a queue job (API retries, enqueues that failed) are queued. */
    NOTIFIER_SWEEP_INTERVAL_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
    /** An unfinished delivery whose job is missing from Redis this long after its last change is queued again. */
    NOTIFIER_RECOVER_AFTER: duration('10m'),

    /** How often the reports' job schedulers are made the enabled report schedules (docs/reports.md). */
    NOTIFIER_REPORT_RECONCILE_MS: z.coerce.number().int().min(100).max(3_600_000).default(60_000),
    /** How often report runs asked for through the API (POST /v1/reports/runs) are picked up. */
    NOTIFIER_REPORT_RUNS_POLL_MS: z.coerce.number().int().min(100).max(600_000).default(2_000),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.NOTIFIER_WEBHOOK_TIMEOUT_MS >= cfg.NOTIFIER_LOCK_DURATION_MS) {
      ctx.addIssue({ code: 'custom', path: ['NOTIFIER_WEBHOOK_TIMEOUT_MS'], message: 'must be below NOTIFIER_LOCK_DURATION_MS (a request may not outlive its job lock)' });
    }
    if (cfg.SMTP_URL) {
      try {
        if (!['smtp:', 'smtps:'].includes(new URL(cfg.SMTP_URL).protocol)) throw new Error();
      } catch {
        ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'must be a URL starting with smtp:// or smtps://' });
      }
    }
  });

export type NotifierEnv = z.output<typeof envSchema>;

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  requireTls: boolean;
  rejectUnauthorized: boolean;
  user?: string;
  password?: string;
  timeoutMs: number;
}

/** The settings the notifier runs with, derived once from the environment. */
export interface NotifierConfig extends NotifierEnv {
  dashboardUrl: string;
  /** Absent: email notifications fail with "SMTP is not configured". */
  smtp?: SmtpSettings;
  requireHttps: boolean;
}

export function toNotifierConfig(env: NotifierEnv): NotifierConfig {
  return {
    ...env,
    dashboardUrl: (env.LEDGER_DASHBOARD_URL ?? env.DASHBOARD_URL ?? 'http://127.0.0.1:3200').replace(/\/+$/, ''),
    smtp: smtpSettings(env),
    requireHttps: env.LEDGER_WEBHOOK_REQUIRE_HTTPS ? ['true', '1'].includes(env.LEDGER_WEBHOOK_REQUIRE_HTTPS) : env.NODE_ENV === 'production',
  };
}

function smtpSettings(env: NotifierEnv): SmtpSettings | undefined {
  const url = env.SMTP_URL ? new URL(env.SMTP_URL) : undefined;
  const host = env.SMTP_HOST ?? url?.hostname;
  if (!host) return undefined;
  const secure = url?.protocol === 'smtps:' || env.SMTP_SECURE;
  return {
    host,
    port: env.SMTP_PORT ?? (url?.port ? Number(url.port) : secure ? 465 : 587),
    secure,
    requireTls: env.SMTP_REQUIRE_TLS,
    rejectUnauthorized: env.SMTP_TLS_REJECT_UNAUTHORIZED,
    user: env.SMTP_USER ?? (url?.username ? decodeURIComponent(url.username) : undefined),
    password: env.SMTP_PASSWORD ?? (url?.password ? decodeURIComponent(url.password) : undefined),
    timeoutMs: env.SMTP_TIMEOUT_MS,
  };
}

export const loadNotifierConfig = (env: NodeJS.ProcessEnv = process.env): NotifierConfig => toNotifierConfig(loadConfig('notifier', envSchema, env, { requiredInProduction: ['LEDGER_MASTER_KEY'] }));
