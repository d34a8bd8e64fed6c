import { randomUUID } from 'node:crypto';
import { createLedgerDataSource, runMigrations, TenantDatabase, type DataSource } from '@agent-ledger/persistence';
import { stackEnv } from '@agent-ledger/testing';
import { StatsRepository } from './stats.repository';
import { toStatistics } from './stats.service';

/** `anomalies` of GET /v1/stats: actions of the window per anomaly code, read from the stored rows. */
describe(`${StatsRepository.name} anomalies`, () => {
  const tenantId = randomUUID();
  const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
  let ds: DataSource;
  let repository: StatsRepository;

  const action = (actionId: string, at: number, codes: string[]) =>
    ds.query(
      `INSERT INTO actions (tenant_id, action_id, status, first_event_at, last_event_at, event_count, anomaly, anomalies, updated_at)
       VALUES ($1, $2, 'executed', $3, $3, 1, $4, $5::jsonb, now())`,
      [tenantId, actionId, new Date(at), codes.length > 0, JSON.stringify(codes.map((code) => ({ code, description: code })))],
    );

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    repository = new StatsRepository(new TenantDatabase(ds));
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `stats-anomalies-int-${tenantId}`]);
    await action('a-1', T0, ['approval_mismatch']);
    await action('a-2', T0 + 60_000, ['approval_mismatch', 'conflicting_outcomes']);
    await action('a-3', T0 + 120_000, ['executed_after_rejection', 'conflicting_outcomes']);
    await action('a-4', T0 + 180_000, []);
    await action('a-5', T0 + 3 * 3_600_000, ['approval_mismatch']); // after the window
  });

  afterAll(async () => {
    await ds.query(`DELETE FROM actions WHERE tenant_id = $1`, [tenantId]);
    await ds.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    await ds.destroy();
  });

  it('should count the actions of the window per code, every code listed', async () => {
    const w = { from: new Date(T0 - 3_600_000), to: new Date(T0 + 3_600_000), bucket: 'hour' as const };

    const stats = toStatistics(w, await repository.stats(tenantId, w), { inWindow: 0, unreplayed: 0 }, { openGaps: 0, missingEvents: 0 });

    expect(stats.anomalies).toEqual({
      conflicting_outcomes: 2,
      ran_after_rejection: 0,
      conflicting_approvals: 0,
      approval_mismatch: 2,
      unapproved_execution: 0,
      executed_after_rejection: 1,
    });
  });
});
