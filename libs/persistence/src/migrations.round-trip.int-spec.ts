import { DataSource, type DataSourceOptions } from 'typeorm';
import { ScratchDatabase } from '@agent-ledger/testing';
import { createLedgerDataSource, LEDGER_MIGRATIONS, runMigrations } from './index';

/**
 * Every migration after the retention one (`1732300001700`) can be undone: on a database of its
 * own, the migrations are applied one at a time and the schema — columns, indexes, constraints,
 * triggers, row-level security, policies, functions, sequences and grants — recorded after each;
 * then each later migration's down(), newest first, must leave exactly the schema recorded before
 * that migration; then they are all applied again. Extensions are not part of the comparison: a
 * down() leaves an extension installed (pg_trgm, migration 1900), which may have been there before. The retention migration and those before
 * it are not undone here: the retention migration's down() drops a role, and roles belong to the
 * whole PostgreSQL cluster that other databases of the stack share.
 */
const FIRST_UNDONE = 1732300001800;

/** The schema as the catalog describes it, one sorted line per object. */
async function schemaOf(ds: DataSource): Promise<string[]> {
  const lines = (rows: { l: string }[]) => rows.map((r) => r.l);
  const queries = [
    `SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' ' || is_nullable || ' ' || coalesce(column_default, '') AS l
       FROM information_schema.columns WHERE table_schema = 'public'`,
    `SELECT 'index ' || indexdef AS l FROM pg_indexes WHERE schemaname = 'public'`,
    `SELECT 'constraint ' || conrelid::regclass || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS l
       FROM pg_constraint WHERE connamespace = 'public'::regnamespace`,
    `SELECT 'trigger ' || tgrelid::regclass || ' ' || pg_get_triggerdef(oid) AS l FROM pg_trigger WHERE NOT tgisinternal`,
    `SELECT 'policy ' || tablename || ' ' || policyname || ' ' || cmd || ' ' || array_to_string(roles, ',') || ' ' || coalesce(qual, '') || ' ' || coalesce(with_check, '') AS l
       FROM pg_policies WHERE schemaname = 'public'`,
    `SELECT 'rls ' || relname || ' ' || relrowsecurity || ' ' || relforcerowsecurity AS l
       FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'p')`,
    `SELECT 'function ' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || md5(pg_get_functiondef(p.oid)) AS l
       FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace AND p.prokind IN ('f', 'p')
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')`,
    `SELECT 'grant ' || table_name || ' ' || grantee || ' ' || privilege_type AS l
       FROM information_schema.role_table_grants WHERE table_schema = 'public'`,
    `SELECT 'column grant ' || table_name || '.' || column_name || ' ' || grantee || ' ' || privilege_type AS l
       FROM information_schema.column_privileges WHERE table_schema = 'public'`,
    `SELECT 'sequence ' || sequence_name || ' ' || data_type AS l FROM information_schema.sequences WHERE sequence_schema = 'public'`,
  ];
  const all: string[] = [];
  for (const q of queries) all.push(...lines(await ds.query(q)));
  return all.sort();
}

describe('migrations undone and applied again (real PostgreSQL)', () => {
  const db = new ScratchDatabase('agent_ledger_mig_rt');
  const url = db.url;
  const names = LEDGER_MIGRATIONS.map((m) => m.name);
  const firstUndone = names.findIndex((name) => Number(name.slice(-13)) >= FIRST_UNDONE);
  /** A data source that knows only the first `n` migrations: applying with it stops there. */
  const upTo = (n: number) => new DataSource({ ...createLedgerDataSource({ url, poolSize: 1 }).options, migrations: LEDGER_MIGRATIONS.slice(0, n) } as DataSourceOptions);

  async function withSource<T>(ds: DataSource, run: (ds: DataSource) => Promise<T>): Promise<T> {
    await ds.initialize();
    try {
      return await run(ds);
    } finally {
      await ds.destroy();
    }
  }

  beforeAll(() => db.create());
  afterAll(() => db.drop());

  it('should restore, with each later down(), exactly the schema the migrations before it made, and apply them all again', async () => {
    expect(firstUndone).toBeGreaterThan(0);
    expect(names.length - firstUndone).toBeGreaterThan(10);
    // Forward, one migration at a time: the schema after each.
    const after = new Map<number, string[]>();
    await withSource(upTo(firstUndone), async (ds) => {
      await runMigrations(ds);
      after.set(firstUndone, await schemaOf(ds));
    });
    for (let n = firstUndone + 1; n <= names.length; n++) {
      await withSource(upTo(n), async (ds) => {
        expect(await runMigrations(ds)).toEqual([names[n - 1]]);
        const schema = await schemaOf(ds);
        expect({ migration: names[n - 1], changed: schema.join('\n') !== after.get(n - 1)!.join('\n') }).toEqual({ migration: names[n - 1], changed: true });
        after.set(n, schema);
      });
    }

    // Backward, newest first: each down() leaves the schema of the migrations before it.
    await withSource(upTo(names.length), async (ds) => {
      for (let n = names.length; n > firstUndone; n--) {
        await ds.undoLastMigration({ transaction: 'each' });
        const [last] = (await ds.query(`SELECT name FROM schema_migrations ORDER BY id DESC LIMIT 1`)) as { name: string }[];
        expect(last.name).toBe(names[n - 2]);
        expect({ undone: names[n - 1], schema: await schemaOf(ds) }).toEqual({ undone: names[n - 1], schema: after.get(n - 1) });
      }
      // And forward again, all at once.
      expect(await runMigrations(ds)).toEqual(names.slice(firstUndone));
      expect(await schemaOf(ds)).toEqual(after.get(names.length));
    });
  });
});
