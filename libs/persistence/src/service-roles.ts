import { TENANT_APP_ROLE } from './migrations/1732300000700-tenant-row-level-security';
import { RUNTIME_ROLES } from './migrations/1732300001200-runtime-roles';
import { RETENTION_ROLE } from './migrations/1732300001700-retention';

/** The database role each service connects as (its DATABASE_URL's user). The migration owner is none of them. */
export const SERVICE_DATABASE_ROLES = {
  'ingest-api': RUNTIME_ROLES.ingest,
  'audit-projector': RUNTIME_ROLES.projector,
  'escalation-worker': RUNTIME_ROLES.worker,
  notifier: RUNTIME_ROLES.notifier,
  /** audit-api's system side; its tenant-scoped side connects as TENANT_APP_ROLE (TENANT_DATABASE_URL). */
  'audit-api': RUNTIME_ROLES.api,
  'retention-worker': RETENTION_ROLE,
} as const;

/** Every role a service logs in as: the five runtime roles, the retention role and the row-level security role. */
export const SERVICE_LOGIN_ROLES: readonly string[] = [...Object.values(RUNTIME_ROLES), RETENTION_ROLE, TENANT_APP_ROLE];

/**
 * The URL of `role` on the same server and database as `databaseUrl` (the owner's), without a
 * password: where the server trusts local connections (the local stack), or with the password set
 * by `migrate` appended by whoever holds it.
 */
export function roleUrl(databaseUrl: string, role: string, password = ''): string {
  const u = new URL(databaseUrl);
  u.username = role;
  u.password = password ? encodeURIComponent(password) : '';
  return u.toString();
}
