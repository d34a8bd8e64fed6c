import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3302;

export const envSchema = z.object({
  ...commonEnv,
  ESCALATION_WORKER_PORT: port(DEFAULT_PORT),
});

export type EscalationWorkerConfig = z.output<typeof envSchema>;

export const loadEscalationWorkerConfig = (env: NodeJS.ProcessEnv = process.env): EscalationWorkerConfig =>
  loadConfig('escalation-worker', envSchema, env);
