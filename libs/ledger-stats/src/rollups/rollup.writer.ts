import type { RollupDeltas } from './rollup-deltas';

/** Runs one statement in the caller's transaction (the projector's batch, a purge). */
export type RollupSql = (sql: string, params: unknown[]) => Promise<unknown[]>;

const iso = (ms: number) => new Date(ms).toISOString();
const cols = <R, K extends keyof R>(rows: R[], ...keys: K[]) => keys.map((k) => rows.map((r) => r[k]));
const base = <R extends { tenantId: string; grain: string; bucket: number }>(rows: R[]) => [rows.map((r) => r.tenantId), rows.map((r) => r.grain), rows.map((r) => iso(r.bucket))];

/**
 * Adds the deltas to the rollup tables: one statement (an upsert per table, rows in key order so that
 * concurrent writers lock them in the same order), plus one that reads the minimum and maximum of a
 * sketch again from `actions` where a value left it. Runs after the batch's `actions` rows are written.
 */
export async function writeRollups(sql: RollupSql, d: RollupDeltas): Promise<void> {
  if (!d.actions.length && !d.breakdowns.length && !d.sketches.length && !d.eventTypes.length && !d.series.length) return;
  const add = (...c: string[]) => c.map((x) => `${x} = r.${x} + excluded.${x}`).join(', ');
  await sql(
    `WITH a AS (
       INSERT INTO stats_actions AS r (tenant_id, grain, bucket, status, tool_name, risk_level, approval_decision, error_code, n, dur_n, dur_sum, dec_n, dec_sum)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                            $9::int[], $10::int[], $11::float8[], $12::int[], $13::float8[])
       ON CONFLICT (tenant_id, grain, bucket, status, tool_name, risk_level, approval_decision, error_code)
       DO UPDATE SET ${add('n', 'dur_n', 'dur_sum', 'dec_n', 'dec_sum')}
     ), b AS (
       INSERT INTO stats_breakdowns AS r (tenant_id, grain, bucket, dim, k1, k2, total, executed, failed, dur_n, dur_sum)
       SELECT * FROM unnest($14::uuid[], $15::text[], $16::timestamptz[], $17::text[], $18::text[], $19::text[], $20::int[], $21::int[], $22::int[], $23::int[], $24::float8[])
       ON CONFLICT (tenant_id, grain, bucket, dim, k1, k2) DO UPDATE SET ${add('total', 'executed', 'failed', 'dur_n', 'dur_sum')}
     ), s AS (
       INSERT INTO stats_sketches AS r (tenant_id, grain, bucket, metric, tool_name, n, counts, min, max)
       SELECT t, g, b, m, tl, n, c::jsonb, lo, hi
         FROM unnest($25::uuid[], $26::text[], $27::timestamptz[], $28::text[], $29::text[], $30::int[], $31::text[], $32::float8[], $33::float8[]) AS u (t, g, b, m, tl, n, c, lo, hi)
       ON CONFLICT (tenant_id, grain, bucket, metric, tool_name)
       DO UPDATE SET n = r.n + excluded.n, counts = stats_sketch_add(r.counts, excluded.counts), min = LEAST(r.min, excluded.min), max = GREATEST(r.max, excluded.max)
     ), e AS (
       INSERT INTO stats_event_types AS r (tenant_id, grain, bucket, type, n)
       SELECT * FROM unnest($34::uuid[], $35::text[], $36::timestamptz[], $37::text[], $38::int[])
       ON CONFLICT (tenant_id, grain, bucket, type) DO UPDATE SET ${add('n')}
     ), se AS (
       INSERT INTO stats_series AS r (tenant_id, grain, bucket, status, n)
       SELECT * FROM unnest($39::uuid[], $40::text[], $41::timestamptz[], $42::text[], $43::int[])
       ON CONFLICT (tenant_id, grain, bucket, status) DO UPDATE SET ${add('n')}
     )
     SELECT 1`,
    [
      ...base(d.actions), ...cols(d.actions, 'status', 'toolName', 'riskLevel', 'approvalDecision', 'errorCode', 'n', 'durN', 'durSum', 'decN', 'decSum'),
      ...base(d.breakdowns), ...cols(d.breakdowns, 'dim', 'k1', 'k2', 'total', 'executed', 'failed', 'durN', 'durSum'),
      ...base(d.sketches), ...cols(d.sketches, 'metric', 'toolName', 'n'), d.sketches.map((s) => JSON.stringify(s.counts)), ...cols(d.sketches, 'min', 'max'),
      ...base(d.eventTypes), ...cols(d.eventTypes, 'key', 'n'),
      ...base(d.series), ...cols(d.series, 'key', 'n'),
    ],
  );
  const reread = d.sketches.filter((s) => s.removed);
  if (!reread.length) return;
  await sql(
    `UPDATE stats_sketches r SET min = x.lo, max = x.hi
       FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::text[], $5::text[]) AS u (t, g, b, m, tl)
      CROSS JOIN LATERAL (
        SELECT min(v) AS lo, max(v) AS hi
          FROM (SELECT CASE WHEN u.m = 'duration' THEN a.duration_ms ELSE a.approval_decision_ms END AS v
                  FROM actions a
                 WHERE a.tenant_id = u.t AND a.first_event_at >= u.b AND a.first_event_at < u.b + ('1 ' || u.g)::interval
                   AND (u.m = 'decision' OR a.tool_name IS NOT DISTINCT FROM u.tl)) y) x
      WHERE r.tenant_id = u.t AND r.grain = u.g AND r.bucket = u.b AND r.metric = u.m AND r.tool_name IS NOT DISTINCT FROM u.tl`,
    [...base(reread), ...cols(reread, 'metric', 'toolName')],
  );
}
