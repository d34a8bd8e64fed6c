import { randomUUID } from 'node:crypto';
import type { RollupAction } from '@agent-ledger/ledger-stats';
import { createLedgerDataSource, runMigrations, statsSketchKey, type DataSource } from '@agent-ledger/persistence';
import { stackEnv, seededRandom } from '@agent-ledger/testing';
import type { ActionChange } from '../projection/action-change';
import { StatsRollups } from './stats-rollups';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 0, 10, 22, 0, 0);
const pick = <T>(r: () => number, xs: T[]): T => xs[Math.floor(r() * xs.length)];

const random = seededRandom;

/** An action's counted columns, drawn at random over 30 hours across a day boundary. */
function randomAction(r: () => number): RollupAction {
  const status = pick(r, ['attempted', 'confirmed', 'executed', 'failed', 'cancelled']);
  const ran = status === 'executed' || status === 'failed';
  return {
    status,
    toolName: pick(r, ['refund', 'email', null]),
    toolProvider: pick(r, ['stripe', null]),
    riskLevel: pick(r, ['safe', 'moderate', null]),
    approvalDecision: pick(r, ['approved', 'rejected', null]),
    errorCode: status === 'failed' ? pick(r, ['E_1', null]) : pick(r, [null, 'E_stale']),
    agentId: pick(r, ['a-1', 'a-2', null]),
    agentName: pick(r, ['Agent One', 'Agent 1']),
    actorType: pick(r, ['user', 'agent']),
    actorId: pick(r, ['u-1', 'u-2', 'u-3']),
    firstEventAt: new Date(T0 + Math.floor(r() * 30 * HOUR)).toISOString(),
    durationMs: ran ? pick(r, [0, 1.5, Math.floor(r() * 5_000)]) : null,
    approvalDecisionMs: r() < 0.4 ? Math.floor(r() * 90_000) : null,
  };
}

/**
 * The rollups written batch by batch (new actions, changed ones moving between hours, statuses and
 * durations, events) equal the same aggregates computed from the rows at the end.
 */
describe(`${StatsRollups.name} (PostgreSQL)`, () => {
  const tenantId = randomUUID();
  const rollups = new StatsRollups();
  let ds: DataSource;

  beforeAll(async () => {
    ds = createLedgerDataSource({ url: stackEnv().databaseUrl, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `rollups-int-${tenantId}`]);
  });

  afterAll(async () => {
    await ds.query(`DELETE FROM actions WHERE tenant_id = $1`, [tenantId]);
    await ds.query(`DELETE FROM tenants WHERE id = $1`, [tenantId]);
    await ds.destroy();
  });

  /** Writes the rows and their rollups in one transaction, as the projector does. */
  async function batch(changes: { actionId: string; before: RollupAction | null; after: RollupAction }[], events: { type: string; occurredAt: string }[]) {
    const qr = ds.createQueryRunner();
    await qr.connect();
    await qr.startTransaction();
    try {
      for (const { actionId, after: a } of [...changes].sort((x, y) => (x.actionId < y.actionId ? -1 : 1))) {
        await qr.query(
          `INSERT INTO actions (tenant_id, action_id, status, tool_name, tool_provider, risk_level, approval_decision, error_code, agent_id, agent_name,
                                actor_type, actor_id, first_event_at, last_event_at, duration_ms, approval_decision_ms, event_count, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, $15, 1, now())
           ON CONFLICT (tenant_id, action_id) DO UPDATE SET status = $3, tool_name = $4, tool_provider = $5, risk_level = $6, approval_decision = $7,
             error_code = $8, agent_id = $9, agent_name = $10, actor_type = $11, actor_id = $12, first_event_at = $13, duration_ms = $14, approval_decision_ms = $15`,
          [tenantId, actionId, a.status, a.toolName, a.toolProvider, a.riskLevel, a.approvalDecision, a.errorCode, a.agentId, a.agentName,
            a.actorType, a.actorId, a.firstEventAt, a.durationMs, a.approvalDecisionMs],
        );
      }
      const tx = { rows: async <T>(sql: string, params: unknown[]) => (await qr.query(sql, params)) as T[] };
      await rollups.apply(tx, {
        actions: changes.map((c) => ({ tenantId, ...c }) as unknown as ActionChange),
        events: events.map((e) => ({ tenantId, ...e })),
      });
      await qr.commitTransaction();
    } catch (err) {
      await qr.rollbackTransaction();
      throw err;
    } finally {
      await qr.release();
    }
  }

  it('should equal the aggregates of the rows after inserts, changes and moves between buckets', async () => {
    const r = random(18);
    const current = new Map<string, RollupAction>();
    const allEvents: { type: string; occurredAt: string }[] = [];
    for (let b = 0; b < 12; b++) {
      const changes: { actionId: string; before: RollupAction | null; after: RollupAction }[] = [];
      const touched = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const actionId = current.size && r() < 0.5 ? pick(r, [...current.keys()]) : `act-${b}-${i}`;
        if (touched.has(actionId)) continue;
        touched.add(actionId);
        const before = current.get(actionId) ?? null;
        // A change keeps the action's identity columns half the time and moves only status/time/duration.
        const drawn = randomAction(r);
        const after = before && r() < 0.5 ? { ...before, status: drawn.status, firstEventAt: drawn.firstEventAt, durationMs: drawn.durationMs } : drawn;
        changes.push({ actionId, before, after });
        current.set(actionId, after);
      }
      const events = Array.from({ length: 20 }, () => ({ type: pick(r, ['action.attempted', 'signal.rate_limited']), occurredAt: new Date(T0 + Math.floor(r() * 30 * HOUR)).toISOString() }));
      allEvents.push(...events);
      await batch(changes, events);
      if (b === 5) {
        // The same rows again: nothing changes.
        await batch([...current.entries()].slice(0, 10).map(([actionId, a]) => ({ actionId, before: a, after: a })), []);
      }
    }

    const q = (sql: string) => ds.query(sql, [tenantId]);
    const sorted = (rows: Record<string, unknown>[]) => rows.map((x) => JSON.stringify(x)).sort();
    const grains = `(VALUES ('hour'), ('day')) g (grain)`;
    const bucket = `date_trunc(g.grain, first_event_at, 'UTC')`;
    expect(sorted(await q(`SELECT grain, bucket, status, tool_name, risk_level, approval_decision, error_code, n, dur_n, round(dur_sum::numeric, 6) AS dur_sum, dec_n, dec_sum
                              FROM stats_actions WHERE tenant_id = $1 AND n <> 0`))).toEqual(
      sorted(await q(`SELECT g.grain, ${bucket} AS bucket, status, tool_name, risk_level, approval_decision, CASE WHEN status = 'failed' THEN error_code END AS error_code,
                             count(*)::int AS n, count(duration_ms)::int AS dur_n, round(coalesce(sum(duration_ms), 0)::numeric, 6) AS dur_sum,
                             count(approval_decision_ms)::int AS dec_n, coalesce(sum(approval_decision_ms), 0)::float8 AS dec_sum
                        FROM actions CROSS JOIN ${grains} WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4, 5, 6, 7`)),
    );
    expect(sorted(await q(`SELECT grain, bucket, dim, k1, k2, total, executed, failed, dur_n FROM stats_breakdowns WHERE tenant_id = $1 AND total <> 0`))).toEqual(
      sorted(await q(`SELECT g.grain, ${bucket} AS bucket, d.dim, d.k1, d.k2, count(*)::int AS total, count(*) FILTER (WHERE status = 'executed')::int AS executed,
                             count(*) FILTER (WHERE status = 'failed')::int AS failed, count(duration_ms)::int AS dur_n
                        FROM actions CROSS JOIN ${grains}
                        CROSS JOIN LATERAL (VALUES ('provider', tool_provider, NULL), ('agent', agent_id, agent_name), ('actor', actor_type, actor_id)) d (dim, k1, k2)
                       WHERE tenant_id = $1 GROUP BY 1, 2, 3, 4, 5`)),
    );
    expect(sorted(await q(`SELECT grain, bucket, status, n FROM stats_series WHERE tenant_id = $1 AND n <> 0`))).toEqual(
      sorted(await q(`SELECT g.grain, ${bucket} AS bucket, status, count(*)::int AS n FROM actions CROSS JOIN (VALUES ('minute'), ('hour'), ('day')) g (grain)
                       WHERE tenant_id = $1 GROUP BY 1, 2, 3`)),
    );
    const stored: { grain: string; bucket: Date; metric: string; tool_name: string | null; n: number; counts: Record<string, number>; min: number | null; max: number | null }[] =
      await q(`SELECT grain, bucket, metric, tool_name, n, counts, min, max FROM stats_sketches WHERE tenant_id = $1 AND n <> 0`);
    const values: { grain: string; bucket: Date; metric: string; tool_name: string | null; v: number }[] = await q(
      `SELECT g.grain, ${bucket} AS bucket, m.metric, m.tool_name, m.v FROM actions CROSS JOIN ${grains}
        CROSS JOIN LATERAL (VALUES ('duration', tool_name, duration_ms), ('decision', NULL, approval_decision_ms::float8)) m (metric, tool_name, v)
        WHERE tenant_id = $1 AND m.v IS NOT NULL`,
    );
    const expected = new Map<string, { n: number; counts: Record<string, number>; min: number; max: number }>();
    for (const v of values) {
      const k = JSON.stringify([v.grain, v.bucket, v.metric, v.tool_name]);
      const e = expected.get(k) ?? { n: 0, counts: {}, min: Infinity, max: -Infinity };
      e.n++;
      e.counts[statsSketchKey(v.v)] = (e.counts[statsSketchKey(v.v)] ?? 0) + 1;
      e.min = Math.min(e.min, v.v);
      e.max = Math.max(e.max, v.v);
      expected.set(k, e);
    }
    const got = new Map(stored.map((s) => [JSON.stringify([s.grain, s.bucket, s.metric, s.tool_name]), { n: s.n, counts: s.counts, min: s.min, max: s.max }]));
    expect(Object.fromEntries(got)).toEqual(Object.fromEntries(expected));
    const typed: Record<string, number> = {};
    for (const e of allEvents) {
      for (const [grain, step] of [['hour', HOUR], ['day', 24 * HOUR]] as const) {
        const k = `${grain} ${new Date(Math.floor(Date.parse(e.occurredAt) / step) * step).toISOString()} ${e.type}`;
        typed[k] = (typed[k] ?? 0) + 1;
      }
    }
    const storedTypes: { k: string; n: number }[] = await q(
      `SELECT grain || ' ' || to_char(bucket AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') || ' ' || type AS k, n FROM stats_event_types WHERE tenant_id = $1`,
    );
    expect(Object.fromEntries(storedTypes.map((t) => [t.k, t.n]))).toEqual(typed);
  });
});
