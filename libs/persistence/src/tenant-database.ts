import type { DataSource, EntityManager } from 'typeorm';
import { roleUrl } from './service-roles';

/** The URL of the application role (row-level security applies to it) on the same server and database. */
export function tenantRoleUrl(databaseUrl: string, role: string): string {
  return roleUrl(databaseUrl, role);
}

/**
 * Tenant-scoped database access through the role row-level security applies to: each unit of work
 * runs in a transaction whose `app.tenant_id` is the caller's tenant, so even a query that forgot
 * its tenant filter sees only that tenant's rows.
 */
export class TenantDatabase {
  constructor(readonly dataSource: DataSource) {}

  run<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(manager);
    });
  }

  /**
   * A read-only REPEATABLE READ transaction in the tenant's scope: every statement of `work` sees
   * the same snapshot (e.g. a chain's rows and its chain_heads row, read by separate statements).
   */
  snapshot<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return work(manager);
    });
  }

  /** One statement in the tenant's scope. */
  query<T = Record<string, unknown>>(tenantId: string, sql: string, params: unknown[] = []): Promise<T[]> {
    return this.run(tenantId, (m) => m.query(sql, params));
  }
}
