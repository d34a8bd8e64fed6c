import { Client } from 'pg';
import { ScratchDatabase } from '@agent-ledger/testing';
import { createLedgerDataSource, runMigrations } from './index';

describe('migrations against the real PostgreSQL', () => {
  const db = new ScratchDatabase('agent_ledger_mig');
  const url = db.url;

  beforeAll(() => db.create());
  afterAll(() => db.drop());

  it('should create the schema on an empty database and be a no-op the second time', async () => {
    const ds = createLedgerDataSource({ url, poolSize: 2 });
    await ds.initialize();
    try {
      const first = await runMigrations(ds);
      expect(first).toContain('InitialSchema1732300000000');
      expect(await runMigrations(ds)).toEqual([]);
      const tables: { table_name: string }[] = await ds.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      expect(tables.map((t) => t.table_name)).toEqual(
        expect.arrayContaining(['tenants', 'api_keys', 'audit_events', 'actions', 'consumer_offsets', 'chain_heads', 'checkpoints', 'subject_keys', 'event_ids']),
      );
    } finally {
      await ds.destroy();
    }
  });

  it('should reject UPDATE, DELETE and TRUNCATE on audit_events when a row exists', async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      await c.query(`INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type,
          occurred_at, received_at, recorded_at, event_json)
        VALUES (gen_random_uuid(), gen_random_uuid(), 0, 0, 1, '\\x00', '\\x01', 'action.attempted', now(), now(), now(), '{}')`);
      await expect(c.query(`UPDATE audit_events SET type = 'action.executed'`)).rejects.toThrow(/append-only: UPDATE/);
      await expect(c.query(`DELETE FROM audit_events`)).rejects.toThrow(/append-only: DELETE/);
      await expect(c.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only: TRUNCATE/);
      const { rows } = await c.query(`SELECT count(*)::int AS n FROM audit_events`);
      expect(rows[0].n).toBe(1);
    } finally {
      await c.end();
    }
  });
});
