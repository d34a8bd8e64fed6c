import { base64Key, commonEnv, loadConfig, port, previousMasterKeys } from '@agent-ledger/config';
import { parseTrustedKeys } from '@agent-ledger/integrity';
import { z } from 'zod';

export const DEFAULT_PORT = 3200;

/** LEDGER_SIGNING_PUBLIC_KEY: `<key>[;from=…][;until=…]` items (parseTrustedKeys); errors name the item, never its value. */
const trustedKeys = z.string().transform((v, ctx) => {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must list at least one public key' });
    return z.NEVER;
  }
  try {
    return parseTrustedKeys(items);
  } catch (err) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
    return z.NEVER;
  }
});

export const envSchema = z
  .object({
    ...commonEnv,
    AUDIT_API_PORT: port(DEFAULT_PORT),
    /** The operator's key for tenant administration (POST /v1/admin/tenants). */
    LEDGER_ROOT_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Opens stored PII for reading and export (32 bytes, base64); the projector uses the same key. */
    LEDGER_MASTER_KEY: base64Key(32).optional(),
    LEDGER_PREVIOUS_MASTER_KEYS: previousMasterKeys,
    /**
     * Trusted checkpoint keys, comma-separated: base64 SPKI DER Ed25519 public keys (current first, then
     * rotated-out ones), each optionally `;from=<ISO-8601>` and/or `;until=<ISO-8601>` (its validity window).
     */
    LEDGER_SIGNING_PUBLIC_KEY: trustedKeys.optional(),
    /** The external checkpoint log (checkpoint-witness) verification also reads, e.g. http://witness:3304. */
    LEDGER_WITNESS_URL: z.string().url('must be an http(s):// URL').optional(),
    /** Bearer token for the witness's read endpoint (its WITNESS_READ_TOKEN), when it requires one. */
    LEDGER_WITNESS_TOKEN: z.string().min(1).optional(),
    /** How long verification waits for the witness before answering unverified. */
    LEDGER_WITNESS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    /** Connection of tenant-scoped endpoints, as the role row-level security applies to (default: DATABASE_URL as agent_ledger_app). */
    TENANT_DATABASE_URL: z.string().url('must be a postgres:// URL').optional(),
    /** How long a verified API key is cached; revocations are also pushed to every service over Redis. */
    AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
    /** Hosts or CIDRs (comma-separated) webhook endpoints may point at although private, loopback or link-local. */
    LEDGER_WEBHOOK_ALLOWLIST: z.string().default('').transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
    /** Only https:// webhook endpoints (default: true when NODE_ENV=production). */
    LEDGER_WEBHOOK_REQUIRE_HTTPS: z.enum(['true', 'false', '1', '0']).optional(),
    /** How long a rotated-out webhook secret keeps signing, in seconds (default 24 h). */
    LEDGER_WEBHOOK_SECRET_GRACE_SECONDS: z.coerce.number().int().min(0).max(30 * 86_400).default(86_400),
    /** Requests per second one API key may make; 0 = no limit. */
    AUDIT_API_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(1_000),
    /** Requests one API key may make at once above its rate (the bucket's size). */
    AUDIT_API_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(2_000),
    /** Failed authentications per second one client address may make before 429; 0 = no limit. */
    AUTH_FAILURE_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(20),
    AUTH_FAILURE_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(200),
    /** Prefix of the rate limit buckets in Redis. */
    RATE_LIMIT_REDIS_PREFIX: z.string().min(1).default('agent-ledger:rate:'),
    /** Open event streams (GET /v1/stream) per tenant in one audit-api process (429 too_many_streams beyond). */
    AUDIT_API_MAX_STREAMS_PER_TENANT: z.coerce.number().int().min(1).default(10),
    /** Open event streams in one audit-api process, all tenants together. */
    AUDIT_API_MAX_STREAMS: z.coerce.number().int().min(1).default(500),
    /** How far back a stream's `since` may reach, in hours (400 since_too_old beyond). */
    AUDIT_API_STREAM_MAX_REPLAY_HOURS: z.coerce.number().positive().max(24 * 366).default(24),
    /** Prefix of the retention queue's BullMQ keys: the retention worker's RETENTION_QUEUE_PREFIX (on-demand runs go there). */
    RETENTION_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ".", "_" and "-" only (1-64)').default('agent-ledger'),
  })
  .superRefine((cfg, ctx) => {
    if (cfg.NODE_ENV !== 'production') return;
    if (cfg.LEDGER_ROOT_KEY && cfg.LEDGER_ROOT_KEY.length < 32) {
      ctx.addIssue({ code: 'custom', path: ['LEDGER_ROOT_KEY'], message: 'a root key of at least 32 characters is required when NODE_ENV=production' });
    }
  });

export type AuditApiConfig = z.output<typeof envSchema>;

export const loadAuditApiConfig = (env: NodeJS.ProcessEnv = process.env): AuditApiConfig =>
  loadConfig('audit-api', envSchema, env, { requiredInProduction: ['LEDGER_ROOT_KEY', 'LEDGER_MASTER_KEY', 'LEDGER_SIGNING_PUBLIC_KEY'] });
