import { archiveStoreEnv, archiveStoreFromEnv, type ArchiveStore } from '@agent-ledger/archive-store';
import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3305;

export const envSchema = z.object({
  ...commonEnv,
  ...archiveStoreEnv,
  RETENTION_WORKER_PORT: port(DEFAULT_PORT),
  /** How often every tenant is swept (a BullMQ job scheduler: one sweep per period whatever the number of workers). */
  RETENTION_EVERY_MS: z.coerce.number().int().min(1_000).max(7 * 24 * 3_600_000).default(3_600_000),
  /** Whether this worker schedules the periodic sweep (off: only on-demand runs, e.g. a test system on a shared database). */
  RETENTION_SWEEP_ENABLED: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Prefix of the BullMQ keys; audit-api must use the same one to queue on-demand runs. */
  RETENTION_QUEUE_PREFIX: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, ".", "_" and "-" only (1-64)').default('agent-ledger'),
  /** How long a purge waits for its retention.purged record to be stored by the projector before it gives up (and resumes at the next run). */
  RETENTION_RECORD_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(120_000),
  /** How long one run may hold a job before BullMQ considers it stalled (a killed worker): the purge resumes on the next run. */
  RETENTION_LOCK_DURATION_MS: z.coerce.number().int().min(5_000).max(3_600_000).default(300_000),
});

export type RetentionConfig = z.output<typeof envSchema>;

export const loadRetentionConfig = (env: NodeJS.ProcessEnv = process.env): RetentionConfig => loadConfig('retention-worker', envSchema, env);

/** The store purges archive to: ARCHIVE_DIR or S3 (ARCHIVE_S3_*; docs/archive-storage.md). */
export const archiveStoreOf = (env: NodeJS.ProcessEnv = process.env): ArchiveStore => archiveStoreFromEnv(env);
