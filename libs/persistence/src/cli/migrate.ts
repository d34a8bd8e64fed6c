/* Applies pending migrations: `node dist/libs/persistence/src/cli/migrate.js` (DATABASE_URL). */
import { ConfigValidationError } from '@agent-ledger/config';
import { loadMigrateConfig } from '../config/migrate.config';
import { createLedgerDataSource, runMigrations } from '../data-source';
import { TENANT_APP_ROLE } from '../migrations/1732300000700-tenant-row-level-security';

async function main(): Promise<void> {
  const cfg = loadMigrateConfig();
  const ds = createLedgerDataSource({ url: cfg.DATABASE_URL, poolSize: 1, applicationName: 'agent-ledger-migrate' });
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    if (cfg.TENANT_DATABASE_PASSWORD) {
      // ALTER ROLE takes no parameters: the password goes through a transaction-local setting and format(%L).
      await ds.transaction(async (m) => {
        await m.query(`SELECT set_config('ledger.app_password', $1, true)`, [cfg.TENANT_DATABASE_PASSWORD]);
        await m.query(`DO $$ BEGIN EXECUTE format('ALTER ROLE ${TENANT_APP_ROLE} WITH PASSWORD %L', current_setting('ledger.app_password')); END $$`);
      });
      process.stdout.write(`password of role ${TENANT_APP_ROLE} set\n`);
    }
    const db = new URL(cfg.DATABASE_URL).pathname.slice(1);
    process.stdout.write(`migrations on ${db}: ${applied.length ? applied.join(', ') : 'up to date'}\n`);
  } finally {
    await ds.destroy();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigValidationError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
