import { LogarithmicMapping } from '@datadog/sketches-js/dist/ddsketch/mapping';
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { RUNTIME_ROLES } from './1732300001200-runtime-roles';
import { RETENTION_ROLE } from './1732300001700-retention';

/**
 * The bucket a value falls in within `stats_sketches.counts`: DDSketch's logarithmic mapping at 1 %
 * relative accuracy (a bucket's representative value is within 1 % of every value in it). The keys are
 * stored, so the accuracy is part of the stored format: changing it takes a migration that rebuilds
 * the sketches. Values of 0 (and below the mapping's smallest) count in the zero bucket `z`.
 */
export const STATS_SKETCH_ACCURACY = 0.01;
export const STATS_SKETCH_MAPPING = new LogarithmicMapping(STATS_SKETCH_ACCURACY);
export const STATS_SKETCH_ZERO_KEY = 'z';

export function statsSketchKey(value: number): string {
  return value > STATS_SKETCH_MAPPING.minPossible ? String(STATS_SKETCH_MAPPING.key(value)) : STATS_SKETCH_ZERO_KEY;
}

/** The rollup tables (docs/statistics.md): per tenant × grain (UTC minute, hour or day) × bucket start × dimensions. */
export const STATS_ROLLUP_TABLES = ['stats_actions', 'stats_breakdowns', 'stats_sketches', 'stats_event_types', 'stats_series'] as const;

/**
 * Rollups behind `GET /v1/stats`, kept by the projector in the transaction that writes the rows they
 * count (an action's old contribution subtracted, its new one added):
 * - `stats_actions`: actions by status × tool × risk × approval × error code (failed only), with the
 *   count and sum of their durations and approval decision times; hour and day grains.
 * - `stats_breakdowns`: actions by provider, by agent (id and name) and by actor; hour and day grains.
 * - `stats_sketches`: DDSketch bucket counts of durations per tool and of decision times, with the
 *   exact minimum and maximum; hour and day grains.
 * - `stats_event_types`: stored events by type (occurred_at); hour and day grains.
 * - `stats_series`: actions by status (first_event_at); minute, hour and day grains.
 * Backfilled here from the stored actions and events. Tenants read them under row-level security;
 * the notifier's reports read them; retention may subtract what it deletes.
 */
export class StatsRollups1732300002200 implements MigrationInterface {
  name = 'StatsRollups1732300002200';

  async up(q: QueryRunner): Promise<void> {
    const common = `tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE, grain text NOT NULL, bucket timestamptz NOT NULL`;
    await q.query(`
      CREATE TABLE stats_actions (${common} CHECK (grain IN ('hour', 'day')),
        status text NOT NULL, tool_name text, risk_level text, approval_decision text, error_code text,
        n integer NOT NULL, dur_n integer NOT NULL, dur_sum float8 NOT NULL, dec_n integer NOT NULL, dec_sum float8 NOT NULL,
        UNIQUE NULLS NOT DISTINCT (tenant_id, grain, bucket, status, tool_name, risk_level, approval_decision, error_code))`);
    await q.query(`
      CREATE TABLE stats_breakdowns (${common} CHECK (grain IN ('hour', 'day')),
        dim text NOT NULL CHECK (dim IN ('provider', 'agent', 'actor')), k1 text, k2 text,
        total integer NOT NULL, executed integer NOT NULL, failed integer NOT NULL, dur_n integer NOT NULL, dur_sum float8 NOT NULL,
        UNIQUE NULLS NOT DISTINCT (tenant_id, grain, bucket, dim, k1, k2))`);
    await q.query(`
      CREATE TABLE stats_sketches (${common} CHECK (grain IN ('hour', 'day')),
        metric text NOT NULL CHECK (metric IN ('duration', 'decision')), tool_name text,
        n integer NOT NULL, counts jsonb NOT NULL, min float8, max float8,
        UNIQUE NULLS NOT DISTINCT (tenant_id, grain, bucket, metric, tool_name))`);
    await q.query(`
      CREATE TABLE stats_event_types (${common} CHECK (grain IN ('hour', 'day')), type text NOT NULL, n integer NOT NULL,
        UNIQUE (tenant_id, grain, bucket, type))`);
    await q.query(`
      CREATE TABLE stats_series (${common} CHECK (grain IN ('minute', 'hour', 'day')), status text NOT NULL, n integer NOT NULL,
        UNIQUE (tenant_id, grain, bucket, status))`);
    // Bucket counts are added key by key; a key whose count reaches 0 is dropped.
    await q.query(`
      CREATE FUNCTION stats_sketch_add(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(jsonb_object_agg(k, n) FILTER (WHERE n <> 0), '{}'::jsonb)
          FROM (SELECT k, sum(v::bigint) AS n FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) x (k, v) GROUP BY k) y
      $$`);
    await rebuildStatsRollups(q);
    for (const table of STATS_ROLLUP_TABLES) {
      await q.query(`SELECT ledger_enable_tenant_rls($1::regclass, 'SELECT')`, [table]);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT, INSERT, UPDATE')`, [table, RUNTIME_ROLES.projector]);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT')`, [table, RUNTIME_ROLES.notifier]);
      await q.query(`SELECT ledger_grant_service($1::regclass, $2, 'SELECT, INSERT, UPDATE')`, [table, RETENTION_ROLE]);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of STATS_ROLLUP_TABLES) await q.query(`DROP TABLE IF EXISTS ${table}`);
    await q.query(`DROP FUNCTION IF EXISTS stats_sketch_add(jsonb, jsonb)`);
  }
}

/**
 * Rebuilds the rollups of some tenants (all when none are named) from their stored rows: one grouped
 * INSERT per table; the sketch keys of the distinct values computed here. The rollup tables are
 * locked meanwhile, so a projector's batch adds its rows before or after, never twice or never.
 * Runs in the caller's transaction. The migration's backfill; also repairs the rollups of a tenant written without them.
 */
export async function rebuildStatsRollups(q: QueryRunner, tenantIds?: string[]): Promise<void> {
  // One grouped pass per table over every stored row: longer than a request's statement timeout on a large ledger.
  await q.query(`SET LOCAL statement_timeout = 0`);
  await q.query(`LOCK TABLE ${STATS_ROLLUP_TABLES.join(', ')} IN EXCLUSIVE MODE`);
  const only = tenantIds ? `WHERE tenant_id = ANY ($1::uuid[])` : '';
  const params = tenantIds ? [tenantIds] : [];
  if (tenantIds) for (const table of STATS_ROLLUP_TABLES) await q.query(`DELETE FROM ${table} ${only}`, params);
  const grains = (list: string[]) => `(VALUES ${list.map((g) => `('${g}')`).join(', ')}) AS g (grain)`;
  const trunc = (col: string) => `date_trunc(g.grain, ${col}, 'UTC')`;
  await q.query(`
    INSERT INTO stats_actions
    SELECT tenant_id, g.grain, ${trunc('first_event_at')}, status, tool_name, risk_level, approval_decision,
           CASE WHEN status = 'failed' THEN error_code END, count(*), count(duration_ms), coalesce(sum(duration_ms), 0),
           count(approval_decision_ms), coalesce(sum(approval_decision_ms), 0)
      FROM actions CROSS JOIN ${grains(['hour', 'day'])} ${only} GROUP BY 1, 2, 3, 4, 5, 6, 7, 8`, params);
  await q.query(`
    INSERT INTO stats_breakdowns
    SELECT tenant_id, g.grain, ${trunc('first_event_at')}, d.dim, d.k1, d.k2, count(*), count(*) FILTER (WHERE status = 'executed'),
           count(*) FILTER (WHERE status = 'failed'), count(duration_ms), coalesce(sum(duration_ms), 0)
      FROM actions CROSS JOIN ${grains(['hour', 'day'])}
      CROSS JOIN LATERAL (VALUES ('provider', tool_provider, NULL), ('agent', agent_id, agent_name), ('actor', actor_type, actor_id)) AS d (dim, k1, k2)
     ${only} GROUP BY 1, 2, 3, 4, 5, 6`, params);
  await q.query(`
    INSERT INTO stats_series SELECT tenant_id, g.grain, ${trunc('first_event_at')}, status, count(*)
      FROM actions CROSS JOIN ${grains(['minute', 'hour', 'day'])} ${only} GROUP BY 1, 2, 3, 4`, params);
  await q.query(`
    INSERT INTO stats_event_types SELECT tenant_id, g.grain, ${trunc('occurred_at')}, type, count(*)
      FROM audit_events CROSS JOIN ${grains(['hour', 'day'])} ${only} GROUP BY 1, 2, 3, 4`, params);

  await q.query(`CREATE TEMPORARY TABLE stats_backfill_keys (value float8 PRIMARY KEY, key text NOT NULL)`);
  const values: { v: number }[] = await q.query(
    `SELECT DISTINCT v FROM (SELECT duration_ms AS v FROM actions ${only} UNION SELECT approval_decision_ms FROM actions ${only}) x WHERE v IS NOT NULL`,
    params,
  );
  for (let i = 0; i < values.length; i += 10_000) {
    const chunk = values.slice(i, i + 10_000).map((r) => Number(r.v));
    await q.query(`INSERT INTO stats_backfill_keys SELECT * FROM unnest($1::float8[], $2::text[])`, [chunk, chunk.map(statsSketchKey)]);
  }
  await q.query(`
    INSERT INTO stats_sketches
    SELECT tenant_id, grain, bucket, metric, tool_name, sum(c), jsonb_object_agg(key, c), min(lo), max(hi)
      FROM (SELECT a.tenant_id, g.grain, ${trunc('a.first_event_at')} AS bucket, m.metric, m.tool_name, k.key, count(*) AS c, min(m.v) AS lo, max(m.v) AS hi
              FROM actions a CROSS JOIN ${grains(['hour', 'day'])}
             CROSS JOIN LATERAL (VALUES ('duration', a.tool_name, a.duration_ms), ('decision', NULL, a.approval_decision_ms::float8)) AS m (metric, tool_name, v)
              JOIN stats_backfill_keys k ON k.value = m.v
             ${tenantIds ? 'WHERE a.tenant_id = ANY ($1::uuid[])' : ''}
             GROUP BY 1, 2, 3, 4, 5, 6) per_key
     GROUP BY 1, 2, 3, 4, 5`, params);
  await q.query(`DROP TABLE stats_backfill_keys`);
}
