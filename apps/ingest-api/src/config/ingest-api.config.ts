import { base64Key, commonEnv, loadConfig, port, previousMasterKeys } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3100;

const envFields = z.object({
  ...commonEnv,
  INGEST_API_PORT: port(DEFAULT_PORT),
  /** Largest accepted request body, in bytes (1 MiB). */
  INGEST_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(16 * 1_048_576).default(1_048_576),
  /** Most events in one `{"events":[…]}` request. */
  INGEST_MAX_EVENTS: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** How long a request waits for Kafka's acknowledgement before answering 503. */
  INGEST_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(4_000),
  /**
   * Events in progress (taken, not yet answered: validated, redacted, serialized or waiting for Kafka)
   * beyond which a request is answered 503 ingest_overloaded at once, before its events are copied:
   * bounds the heap whatever the offered load (docs/resilience.md#ingest-under-a-kafka-hiccup-bounded-never-a-backlog).
   */
  INGEST_MAX_PENDING_EVENTS: z.coerce.number().int().min(1_000).max(1_000_000).default(10_000),
  /**
   * Bytes of request bodies in progress (declared Content-Length, or INGEST_MAX_BODY_BYTES when not
   * declared or compressed) beyond which a request is answered 503 ingest_overloaded before its body
   * is read (16 MiB). Parsed JSON can take about 4 times its text in the heap (an array of small
   * numbers), so 16 MiB of bodies stay within the 160 MB heap scripts/run-service.sh gives a service;
   * raise both together.
   */
  INGEST_MAX_PENDING_BYTES: z.coerce.number().int().min(1_048_576).max(1_073_741_824).default(16 * 1_048_576),
  /** How long a tenant's redaction patterns are cached. */
  INGEST_TENANT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** How long a verified API key is cached; revocations are also pushed to every service over Redis. */
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
  /** Wraps the per-subject keys that encrypt subject.pii and actor.ip before publishing (32 bytes, base64). Required in production. */
  LEDGER_MASTER_KEY: base64Key(32).optional(),
  LEDGER_PREVIOUS_MASTER_KEYS: previousMasterKeys,
  /** How long a request waits for its subjects' keys before answering 503 pii_key_unavailable. */
  INGEST_PII_KEY_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
  /** How long an unwrapped subject key is reused without reading subject_keys (erasures also evict it at once). */
  INGEST_PII_KEY_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(60_000),
  /** Events per second one API key may post (a batch counts its events); 0 = no limit. */
  INGEST_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(100_000),
  /** Events one API key may post at once above its rate (the bucket's size). */
  INGEST_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(200_000),
  /** Failed authentications per second one client address may make before 429; 0 = no limit. */
  AUTH_FAILURE_RATE_LIMIT_PER_SECOND: z.coerce.number().min(0).default(20),
  AUTH_FAILURE_RATE_LIMIT_BURST: z.coerce.number().int().min(1).default(200),
  /** Prefix of the rate limit buckets in Redis. */
  RATE_LIMIT_REDIS_PREFIX: z.string().min(1).default('agent-ledger:rate:'),
});

export const envSchema = envFields.superRefine((cfg, ctx) => {
  if (cfg.NODE_ENV === 'production' && !cfg.LEDGER_MASTER_KEY) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['LEDGER_MASTER_KEY'], message: 'LEDGER_MASTER_KEY is required when NODE_ENV=production (PII is encrypted before it is published)' });
  }
});

export type IngestApiConfig = z.output<typeof envSchema>;

export const loadIngestApiConfig = (env: NodeJS.ProcessEnv = process.env): IngestApiConfig =>
  loadConfig('ingest-api', envSchema, env);
