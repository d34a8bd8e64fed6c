import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3301;

export const envSchema = z.object({
  ...commonEnv,
  AUDIT_PROJECTOR_PORT: port(DEFAULT_PORT),
  LEDGER_MASTER_KEY: z.string().optional(),
  LEDGER_SIGNING_KEY: z.string().optional(),
  CHECKPOINT_EVERY_EVENTS: z.coerce.number().int().positive().default(1000),
  CHECKPOINT_EVERY_MS: z.coerce.number().int().positive().default(10_000),
});

export type AuditProjectorConfig = z.output<typeof envSchema>;

export const loadAuditProjectorConfig = (env: NodeJS.ProcessEnv = process.env): AuditProjectorConfig =>
  loadConfig('audit-projector', envSchema, env);
