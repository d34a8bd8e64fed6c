import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3100;

export const envSchema = z.object({
  ...commonEnv,
  INGEST_API_PORT: port(DEFAULT_PORT),
  /** Largest accepted request body, in bytes (1 MiB). */
  INGEST_MAX_BODY_BYTES: z.coerce.number().int().min(1_024).max(16 * 1_048_576).default(1_048_576),
  /** Most events in one `{"events":[…]}` request. */
  INGEST_MAX_EVENTS: z.coerce.number().int().min(1).max(10_000).default(1_000),
  /** How long a request waits for Kafka's acknowledgement before answering 503. */
  INGEST_PUBLISH_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(4_000),
  /** Events waiting for Kafka (queued or in flight) beyond which a request is answered 503 at once. */
  INGEST_MAX_PENDING_EVENTS: z.coerce.number().int().min(1_000).max(1_000_000).default(20_000),
  /** How long a tenant's redaction patterns are cached. */
  INGEST_TENANT_CACHE_TTL_MS: z.coerce.number().int().min(0).max(600_000).default(30_000),
  /** How long a verified API key is cached; revocations are also pushed to every service over Redis. */
  AUTH_CACHE_TTL_MS: z.coerce.number().int().min(0).max(300_000).default(5_000),
});

export type IngestApiConfig = z.output<typeof envSchema>;

export const loadIngestApiConfig = (env: NodeJS.ProcessEnv = process.env): IngestApiConfig =>
  loadConfig('ingest-api', envSchema, env);
