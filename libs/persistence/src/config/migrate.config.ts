import { databaseUrl, loadConfig } from '@agent-ledger/config';
import { z } from 'zod';

export const migrateEnvSchema = z.object({ DATABASE_URL: databaseUrl });
export const loadMigrateConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig('migrate', migrateEnvSchema, env);
