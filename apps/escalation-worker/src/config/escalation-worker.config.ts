import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { ESCALATION_WORKER_GROUP } from '@agent-ledger/contracts';
import { z } from 'zod';

export const DEFAULT_PORT = 3302;

export const envSchema = z.object({
  ...commonEnv,
  ESCALATION_WORKER_PORT: port(DEFAULT_PORT),
  /** Consumer group on the action events (tests run their own). */
  ESCALATION_WORKER_GROUP_ID: z.string().min(1).max(200).default(ESCALATION_WORKER_GROUP),
  /** Prefix of every Redis key of the worker's state (windows, timers, open escalations). */
  ESCALATION_REDIS_PREFIX: z.string().min(1).max(100).default('agent-ledger:escalation'),
  /** Consumer group session timeout: how long a dead member holds its partitions. */
  ESCALATION_WORKER_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(10_000),
  /** How often due confirmation timers are looked for. */
  ESCALATION_TIMER_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1_000),
  /** How long a tenant's rule settings are cached. */
  ESCALATION_SETTINGS_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
});

export type EscalationWorkerConfig = z.output<typeof envSchema>;

export const loadEscalationWorkerConfig = (env: NodeJS.ProcessEnv = process.env): EscalationWorkerConfig =>
  loadConfig('escalation-worker', envSchema, env);
