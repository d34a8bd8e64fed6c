import { base64Key, commonEnv, loadConfig, port, previousMasterKeys } from '@agent-ledger/config';
import { AUDIT_PROJECTOR_GROUP } from '@agent-ledger/contracts';
import { loadSigningKey, type SigningKey } from '@agent-ledger/integrity';
import { z } from 'zod';

export const DEFAULT_PORT = 3301;

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** LEDGER_MASTER_KEY: 32 random bytes, base64. Never echoed in errors. */
const masterKey = base64Key(32).optional();

/** LEDGER_SIGNING_KEY: Ed25519 private key, base64 PKCS#8 DER. */
const signingKey = z
  .string()
  .transform((v, ctx): SigningKey => {
    try {
      if (!BASE64.test(v)) throw new Error('must be base64 PKCS#8 DER');
      return loadSigningKey(v);
    } catch (err) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      return z.NEVER;
    }
  })
  .optional();

export const envSchema = z.object({
  ...commonEnv,
  AUDIT_PROJECTOR_PORT: port(DEFAULT_PORT),
  /** Kafka consumer group; tests run their own. Offsets are kept per group in consumer_offsets. */
  AUDIT_PROJECTOR_GROUP_ID: z.string().min(1).max(200).default(AUDIT_PROJECTOR_GROUP),
  /** Partitions processed at the same time (each in its own transaction). */
  AUDIT_PROJECTOR_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(3),
  /** Upper bound of one partition's fetch, i.e. of a batch, in bytes. */
  AUDIT_PROJECTOR_MAX_BATCH_BYTES: z.coerce.number().int().min(1_024).max(64 * 1_048_576).default(1_048_576),
  /** Consumer group session timeout: how long a dead member holds its partitions. */
  AUDIT_PROJECTOR_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  /** Connections in the pool: one per concurrent batch, one for checkpoints, one spare. */
  AUDIT_PROJECTOR_DB_POOL_SIZE: z.coerce.number().int().min(2).max(100).default(6),
  LEDGER_MASTER_KEY: masterKey,
  LEDGER_PREVIOUS_MASTER_KEYS: previousMasterKeys,
  LEDGER_SIGNING_KEY: signingKey,
  CHECKPOINT_EVERY_EVENTS: z.coerce.number().int().positive().default(1000),
  CHECKPOINT_EVERY_MS: z.coerce.number().int().positive().default(10_000),
});

export type AuditProjectorConfig = z.output<typeof envSchema>;

export const loadAuditProjectorConfig = (env: NodeJS.ProcessEnv = process.env): AuditProjectorConfig =>
  loadConfig('audit-projector', envSchema, env, { requiredInProduction: ['LEDGER_MASTER_KEY', 'LEDGER_SIGNING_KEY'] });
