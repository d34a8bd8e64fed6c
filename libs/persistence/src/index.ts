export { createLedgerDataSource, LEDGER_ENTITIES, LEDGER_MIGRATIONS, pingDatabase, runMigrations, type DataSourceSettings } from './data-source';
export { TenantEntity } from './entities/tenant.entity';
export { API_KEY_SCOPES, ApiKeyEntity, type ApiKeyScope } from './entities/api-key.entity';
export { DataSource, EntityManager, QueryRunner, Repository } from 'typeorm';
export { TenantDatabase, tenantRoleUrl } from './tenant-database';
export { TENANT_APP_ROLE } from './migrations/1732300000700-tenant-row-level-security';
export { RUNTIME_ROLES } from './migrations/1732300001200-runtime-roles';
