/* Applies pending migrations: `node dist/libs/persistence/src/cli/migrate.js` (DATABASE_URL: the owner's). */
import { ConfigValidationError } from '@agent-ledger/config';
import { loadMigrateConfig, ROLE_PASSWORD_VARIABLES } from '../config/migrate.config';
import { createLedgerDataSource, runMigrations } from '../data-source';

async function main(): Promise<void> {
  const cfg = loadMigrateConfig();
  const ds = createLedgerDataSource({ url: cfg.DATABASE_URL, poolSize: 1, applicationName: 'agent-ledger-migrate' });
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
    for (const [variable, role] of Object.entries(ROLE_PASSWORD_VARIABLES)) {
      const password = cfg[variable as keyof typeof ROLE_PASSWORD_VARIABLES];
      if (!password) continue;
      // ALTER ROLE takes no parameters: the password goes through a transaction-local setting and format(%L).
      await ds.transaction(async (m) => {
        await m.query(`SELECT set_config('ledger.role_password', $1, true)`, [password]);
        await m.query(`DO $$ BEGIN EXECUTE format('ALTER ROLE ${role} WITH PASSWORD %L', current_setting('ledger.role_password')); END $$`);
      });
      process.stdout.write(`password of role ${role} set (${variable})\n`);
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
