import { commonEnv, loadConfig, port } from '@agent-ledger/config';
import { z } from 'zod';

export const DEFAULT_PORT = 3200;

export const envSchema = z.object({
  ...commonEnv,
  AUDIT_API_PORT: port(DEFAULT_PORT),
  LEDGER_ROOT_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
  LEDGER_MASTER_KEY: z.string().optional(),
  LEDGER_SIGNING_PUBLIC_KEY: z.string().optional(),
});

export type AuditApiConfig = z.output<typeof envSchema>;

export const loadAuditApiConfig = (env: NodeJS.ProcessEnv = process.env): AuditApiConfig =>
  loadConfig('audit-api', envSchema, env);
