import { databaseUrl, loadConfig } from '@agent-ledger/config';
import { z } from 'zod';

export const migrateEnvSchema = z.object({
  DATABASE_URL: databaseUrl,
  /** Sets the login password of the application role (agent_ledger_app) where connections need one. */
  TENANT_DATABASE_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
});
export const loadMigrateConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig('migrate', migrateEnvSchema, env);
