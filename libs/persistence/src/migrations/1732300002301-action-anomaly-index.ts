import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The actions marked with an anomaly, by tenant and start: `GET /v1/stats` counts them per code
 * (`anomalies`) from this partial index alone (index-only: the codes are included), so the count costs
 * in proportion to the anomalous actions of the window, not to all of its actions; the `anomaly` and
 * `anomalyCode` filters use it too.
 */
export class ActionAnomalyIndex1732300002301 implements MigrationInterface {
  name = 'ActionAnomalyIndex1732300002301';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`SET LOCAL statement_timeout = 0`);
    await q.query(`CREATE INDEX IF NOT EXISTS actions_anomaly_idx ON actions (tenant_id, first_event_at) INCLUDE (anomalies) WHERE anomaly`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS actions_anomaly_idx`);
  }
}
