import path from 'node:path';
import { commonEnv, kafkaSecurityEnv, loadConfig, port } from '@agent-ledger/config';
import { TOPIC_PREFIX } from '@agent-ledger/contracts';
import { z } from 'zod';
import { parseTrustedKeyList, type TrustedKeySet } from '../verification/trusted-keys';

export const DEFAULT_PORT = 3304;
export const CHECKPOINT_WITNESS_GROUP = `${TOPIC_PREFIX}checkpoint-witness`;

export const envSchema = z.object({
  // The witness has no database and no Redis: only the identity, HTTP and Kafka parts of commonEnv.
  NODE_ENV: commonEnv.NODE_ENV,
  LOG_LEVEL: commonEnv.LOG_LEVEL,
  HOST: commonEnv.HOST,
  KAFKA_BROKERS: commonEnv.KAFKA_BROKERS,
  KAFKA_CLIENT_ID: commonEnv.KAFKA_CLIENT_ID,
  ...kafkaSecurityEnv,
  SHUTDOWN_TIMEOUT_MS: commonEnv.SHUTDOWN_TIMEOUT_MS,
  OTEL_EXPORTER_OTLP_ENDPOINT: commonEnv.OTEL_EXPORTER_OTLP_ENDPOINT,
  CHECKPOINT_WITNESS_PORT: port(DEFAULT_PORT),
  /** Kafka consumer group of the checkpoints topic. */
  CHECKPOINT_WITNESS_GROUP_ID: z.string().min(1).default(CHECKPOINT_WITNESS_GROUP),
  CHECKPOINT_WITNESS_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /** Directory of the append-only logs: `<dir>/<tenantId>.jsonl`, `<dir>/conflicts/`, `<dir>/refused.jsonl`. */
  WITNESS_DIR: z.string().min(1).default('.stack/witness'),
  /**
   * Public keys whose checkpoints are accepted: comma-separated base64 SPKI DER Ed25519 keys, each
   * optionally followed by `;from=<instant>` and/or `;until=<instant>` (its validity window).
   */
  LEDGER_SIGNING_PUBLIC_KEY: z.string({ required_error: 'LEDGER_SIGNING_PUBLIC_KEY is required' }).transform((v, ctx) => {
    try {
      return parseTrustedKeyList(v);
    } catch (err) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      return z.NEVER;
    }
  }),
  /** When set, `GET /v1/checkpoints/:tenantId` requires `Authorization: Bearer <token>`. */
  WITNESS_READ_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** When set, each newly stored checkpoint is POSTed (JSON) to this URL, with retries; never blocks the store. */
  WITNESS_WEBHOOK_URL: z
    .string()
    .url()
    .refine((v) => ['http:', 'https:'].includes(new URL(v).protocol), 'must be an http:// or https:// URL')
    .optional(),
  WITNESS_WEBHOOK_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(6),
  WITNESS_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
});

export type WitnessEnv = z.output<typeof envSchema>;

/** The settings the witness runs with, derived once from the environment. */
export interface WitnessConfig extends WitnessEnv {
  /** WITNESS_DIR resolved against the working directory. */
  witnessDir: string;
  trustedKeys: TrustedKeySet;
}

export function toWitnessConfig(env: WitnessEnv): WitnessConfig {
  return { ...env, witnessDir: path.resolve(env.WITNESS_DIR), trustedKeys: env.LEDGER_SIGNING_PUBLIC_KEY };
}

export const loadWitnessConfig = (env: NodeJS.ProcessEnv = process.env): WitnessConfig => toWitnessConfig(loadConfig('checkpoint-witness', envSchema, env));
