import type { DataSource } from 'typeorm';

/** The role a connection runs as, and whether it could undo the audit log's protections. */
export interface ConnectedRole {
  role: string;
  superuser: boolean;
  /** It owns audit_events (or may act as its owner): it could disable the append-only triggers or drop partitions. */
  ownsAuditLog: boolean;
}

export type RoleVerdict = { action: 'accept' } | { action: 'warn' | 'refuse'; reason: string };

/**
 * A service connects as its own role (docs/deployment.md). A superuser or the tables' owner is
 * refused in production and warned about elsewhere (the local stack and tests may run as the owner).
 */
export function judgeConnectedRole(r: ConnectedRole, production: boolean): RoleVerdict {
  const what = r.superuser ? 'a superuser' : r.ownsAuditLog ? 'the owner of audit_events' : undefined;
  if (!what) return { action: 'accept' };
  const reason = `connected to PostgreSQL as role "${r.role}", ${what}: a service must connect as its own role (agent_ledger_*, docs/deployment.md)`;
  return production ? { action: 'refuse', reason: `refusing to start in production: ${reason}` } : { action: 'warn', reason };
}

/** The current role of a connection of `ds`. */
export async function connectedRole(ds: DataSource): Promise<ConnectedRole> {
  const [row]: { role: string; superuser: boolean; owns: boolean }[] = await ds.query(
    `SELECT current_user::text AS role, r.rolsuper AS superuser,
            coalesce((SELECT pg_has_role(current_user, c.relowner, 'MEMBER') FROM pg_class c WHERE c.oid = to_regclass('public.audit_events')), false) AS owns
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  return { role: row.role, superuser: row.superuser, ownsAuditLog: row.owns };
}
