/* Applies pending migrations: `node dist/libs/persistence/src/cli/migrate.js` (DATABASE_URL). */
import { ConfigValidationError } from '@agent-ledger/config';
import { loadMigrateConfig } from '../config/migrate.config';
import { createLedgerDataSource, runMigrations } from '../data-source';

async function main(): Promise<void> {
  const cfg = loadMigrateConfig();
  const ds = createLedgerDataSource({ url: cfg.DATABASE_URL, poolSize: 1, applicationName: 'agent-ledger-migrate' });
  await ds.initialize();
  try {
    const applied = await runMigrations(ds);
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
