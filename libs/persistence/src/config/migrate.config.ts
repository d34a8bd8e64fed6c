import { databaseUrl, loadConfig } from '@agent-ledger/config';
import { z } from 'zod';
import { TENANT_APP_ROLE } from '../migrations/1732300000700-tenant-row-level-security';
import { RETENTION_ROLE } from '../migrations/1732300001700-retention';
import { RUNTIME_ROLES } from '../migrations/1732300001200-runtime-roles';

const password = z.string().min(12, 'must be at least 12 characters').optional();

/** The variable that sets each login role's password: `<SERVICE>_DATABASE_PASSWORD`. */
export const ROLE_PASSWORD_VARIABLES = {
  INGEST_DATABASE_PASSWORD: RUNTIME_ROLES.ingest,
  PROJECTOR_DATABASE_PASSWORD: RUNTIME_ROLES.projector,
  WORKER_DATABASE_PASSWORD: RUNTIME_ROLES.worker,
  NOTIFIER_DATABASE_PASSWORD: RUNTIME_ROLES.notifier,
  API_DATABASE_PASSWORD: RUNTIME_ROLES.api,
  /** The retention worker: the one role that may delete covered rows (docs/retention.md). */
  RETENTION_DATABASE_PASSWORD: RETENTION_ROLE,
  /** audit-api's tenant-scoped side (row-level security). */
  TENANT_DATABASE_PASSWORD: TENANT_APP_ROLE,
} as const;

export const migrateEnvSchema = z.object({
  /** The owner of the schema: the only connection that runs migrations; no service uses it. */
  DATABASE_URL: databaseUrl,
  // Each sets the login password of its role where connections need one (unset: left as it is).
  INGEST_DATABASE_PASSWORD: password,
  PROJECTOR_DATABASE_PASSWORD: password,
  WORKER_DATABASE_PASSWORD: password,
  NOTIFIER_DATABASE_PASSWORD: password,
  API_DATABASE_PASSWORD: password,
  TENANT_DATABASE_PASSWORD: password,
  RETENTION_DATABASE_PASSWORD: password,
});
export const loadMigrateConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig('migrate', migrateEnvSchema, env);
