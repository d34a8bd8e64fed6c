import { Injectable } from '@nestjs/common';
import { TenantDatabase } from '@agent-ledger/persistence';
import { whereActions, whereEvents, type ActionFilter, type ActionSort, type EventFilter } from './query-filters';

export interface ActionRecord {
  seq: string;
  action_id: string;
  status: string;
  session_id: string | null;
  agent_id: string | null;
  agent_name: string | null;
  actor_type: string | null;
  actor_id: string | null;
  tool_name: string | null;
  tool_provider: string | null;
  risk_level: string | null;
  approval_required: boolean | null;
  approval_decision: string | null;
  approved_by: string | null;
  attempted_at: Date | null;
  confirmed_at: Date | null;
  executed_at: Date | null;
  failed_at: Date | null;
  cancelled_at: Date | null;
  first_event_at: Date;
  last_event_at: Date;
  duration_ms: number | null;
  error_message: string | null;
  error_code: string | null;
  subject_id: string | null;
  event_count: number;
  anomaly: boolean;
  anomalies: unknown[];
  task_id: string | null;
  plan_id: string | null;
  step_id: string | null;
  approval_id: string | null;
  approval_decision_ms: number | null;
}

/** Where a page of actions ends: `seq` (newest first) or (duration_ms, seq) (slowest first). */
export interface ActionPosition {
  seq: string;
  durationMs?: string;
}

/** Where a row stands in recording order: recorded_at (ISO-8601, microseconds), partition, chain_seq. */
export interface RecordingPosition {
  at: string;
  partition: number;
  seq: string;
}

export interface EventRecord {
  event_id: string;
  occurred_at: Date;
  received_at: Date;
  recorded_at: Date;
  kafka_partition: number;
  chain_seq: string;
  hash: string;
  event_json: string;
}

const ACTION_COLUMNS = `a.seq::text AS seq, a.action_id, a.status, a.session_id, a.agent_id, a.agent_name, a.actor_type, a.actor_id, a.tool_name,
  a.tool_provider, a.risk_level, a.approval_required, a.approval_decision, a.approved_by, a.attempted_at, a.confirmed_at, a.executed_at,
  a.failed_at, a.cancelled_at, a.first_event_at, a.last_event_at, a.duration_ms, a.error_message, a.error_code, a.subject_id,
  a.event_count, a.anomaly, a.anomalies, a.task_id, a.plan_id, a.step_id, a.approval_id, a.approval_decision_ms`;

const EVENT_COLUMNS = `e.event_id::text AS event_id, e.occurred_at, e.received_at, e.recorded_at, e.kafka_partition, e.chain_seq::text AS chain_seq,
  encode(e.hash, 'hex') AS hash, e.event_json`;

/** Reads actions and events in the tenant's scope (row-level security applies to every query). */
@Injectable()
export class RecordsRepository {
  constructor(private readonly db: TenantDatabase) {}

  /**
   * `recent`: newest first by `seq`. `duration_desc`: slowest first by (duration_ms, seq), only
   * actions with a duration. `after` continues a previous page of the same order.
   */
  async listActions(tenantId: string, f: ActionFilter, sort: ActionSort, limit: number, after?: ActionPosition): Promise<ActionRecord[]> {
    const w = whereActions(tenantId, f);
    if (sort === 'duration_desc') {
      w.add('a.duration_ms IS NOT NULL');
      if (after) w.add('(a.duration_ms, a.seq) < (?::float8, ?::bigint)', after.durationMs, after.seq);
      return this.db.query<ActionRecord>(tenantId, `SELECT ${ACTION_COLUMNS} FROM actions a WHERE ${w} ORDER BY a.duration_ms DESC, a.seq DESC LIMIT ${w.param(limit)}`, w.params);
    }
    if (after) w.add('a.seq < ?', after.seq);
    return this.db.query<ActionRecord>(tenantId, `SELECT ${ACTION_COLUMNS} FROM actions a WHERE ${w} ORDER BY a.seq DESC LIMIT ${w.param(limit)}`, w.params);
  }

  async findAction(tenantId: string, actionId: string): Promise<ActionRecord | undefined> {
    const [row] = await this.db.query<ActionRecord>(tenantId, `SELECT ${ACTION_COLUMNS} FROM actions a WHERE a.tenant_id = $1 AND a.action_id = $2`, [tenantId, actionId]);
    return row;
  }

  async eventsOfAction(tenantId: string, actionId: string): Promise<EventRecord[]> {
    return this.db.query<EventRecord>(
      tenantId,
      `SELECT ${EVENT_COLUMNS} FROM audit_events e WHERE e.tenant_id = $1 AND e.action_id = $2 ORDER BY e.occurred_at, e.recorded_at, e.event_id`,
      [tenantId, actionId],
    );
  }

  /** Newest first by (occurred_at, event_id) — immutable, so pages never repeat an event. */
  async listEvents(tenantId: string, f: EventFilter, limit: number, before?: { at: string; id: string }, order: 'desc' | 'asc' = 'desc'): Promise<EventRecord[]> {
    const w = whereEvents(tenantId, f);
    if (before) w.add(order === 'desc' ? '(e.occurred_at, e.event_id) < (?::timestamptz, ?::uuid)' : '(e.occurred_at, e.event_id) > (?::timestamptz, ?::uuid)', before.at, before.id);
    const dir = order === 'desc' ? 'DESC' : 'ASC';
    return this.db.query<EventRecord>(tenantId, `SELECT ${EVENT_COLUMNS} FROM audit_events e WHERE ${w} ORDER BY e.occurred_at ${dir}, e.event_id ${dir} LIMIT ${w.param(limit)}`, w.params);
  }

  /**
   * One page of the CSV export, oldest first, as cells (EXPORT_COLUMNS order) extracted by
   * PostgreSQL from the stored JSON: the API only moves strings, so its memory stays flat. The last
   * two cells are the keyset position (occurred_at, event_id) of the row.
   */
  async csvPage(tenantId: string, f: EventFilter, limit: number, after?: { at: string; id: string }): Promise<(string | null)[][]> {
    const w = whereEvents(tenantId, f);
    if (after) w.add('(e.occurred_at, e.event_id) > (?::timestamptz, ?::uuid)', after.at, after.id);
    const rows = await this.db.query<{ r: (string | null)[] }>(
      tenantId,
      `SELECT ARRAY[e.event_id::text, e.type, j->>'occurredAt', j->>'receivedAt',
                    to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), e.action_id, e.session_id,
                    j#>>'{agent,id}', j#>>'{agent,name}', j#>>'{actor,type}', j#>>'{actor,id}', j#>>'{tool,name}', j#>>'{tool,provider}',
                    j#>>'{tool,riskLevel}', j#>>'{approval,required}', j#>>'{approval,decision}', j#>>'{approval,approvedBy}',
                    j->>'durationMs', j#>>'{error,message}', j#>>'{error,code}', j#>>'{subject,id}', j#>>'{resource,type}',
                    j#>>'{resource,id}', e.kafka_partition::text, e.chain_seq::text, encode(e.hash, 'hex'),
                    (j->'input')::text, (j->'output')::text, (j->'metadata')::text, (j->'changes')::text,
                    e.change_action, e.task_id, e.plan_id, e.step_id, j#>>'{plan,parentPlanId}', e.approval_id,
                    j#>>'{approval,decisionMs}', j#>>'{budget,used}', j#>>'{budget,limit}', j#>>'{budget,unit}', e.message_role,
                    j#>>'{message,content}', j#>>'{message,tokens}', j#>>'{message,model}', j->>'inputHash', j#>>'{approval,argsHash}',
                    (SELECT string_agg(c.code, ' ') FROM actions a CROSS JOIN LATERAL jsonb_to_recordset(a.anomalies) AS c (code text)
                      WHERE a.tenant_id = e.tenant_id AND a.action_id = e.action_id AND a.anomaly),
                    to_char(e.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')] AS r
         FROM audit_events e CROSS JOIN LATERAL (SELECT e.event_json::jsonb AS j) x
        WHERE ${w} ORDER BY e.occurred_at, e.event_id LIMIT ${w.param(limit)}`,
      w.params,
    );
    return rows.map((row) => row.r);
  }

  /**
   * Events recorded at or after `since` (for the live stream), in recording order; `after` continues
   * from the `position` of the last row of a previous page. A position carries recorded_at to the
   * microsecond: a batch's rows share one recorded_at, and a millisecond Date would place the
   * position before them all, so the next page would repeat this one.
   */
  async eventsRecordedSince(tenantId: string, f: EventFilter, since: Date, limit: number, after?: RecordingPosition): Promise<(EventRecord & { position: RecordingPosition })[]> {
    const w = whereEvents(tenantId, f);
    w.add('e.recorded_at >= ?', since);
    if (after) w.add('(e.recorded_at, e.kafka_partition, e.chain_seq) > (?::timestamptz, ?::int, ?::bigint)', after.at, after.partition, after.seq);
    const rows = await this.db.query<EventRecord & { recorded_at_us: string }>(
      tenantId,
      `SELECT ${EVENT_COLUMNS}, to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS recorded_at_us
         FROM audit_events e WHERE ${w} ORDER BY e.recorded_at, e.kafka_partition, e.chain_seq LIMIT ${w.param(limit)}`,
      w.params,
    );
    return rows.map(({ recorded_at_us, ...row }) => ({ ...row, position: { at: recorded_at_us, partition: row.kafka_partition, seq: row.chain_seq } }));
  }

  /** The anomaly codes of these actions (the JSON export's `anomalyCodes`), keyed by action id; actions without one are absent. */
  async anomalyCodesOf(tenantId: string, actionIds: string[]): Promise<Map<string, string[]>> {
    if (!actionIds.length) return new Map();
    const rows = await this.db.query<{ action_id: string; codes: string[] }>(
      tenantId,
      `SELECT a.action_id, array_agg(c.code) AS codes FROM actions a CROSS JOIN LATERAL jsonb_to_recordset(a.anomalies) AS c (code text)
        WHERE a.tenant_id = $1 AND a.action_id = ANY($2::text[]) AND a.anomaly GROUP BY 1`,
      [tenantId, [...new Set(actionIds)]],
    );
    return new Map(rows.map((r) => [r.action_id, r.codes]));
  }

  async sessionSummary(tenantId: string, sessionId: string): Promise<Record<string, unknown>> {
    const [row] = await this.db.query<Record<string, unknown>>(
      tenantId,
      `SELECT count(*)::int AS actions, min(a.first_event_at) AS first_event_at, max(a.last_event_at) AS last_event_at,
              coalesce(sum(a.duration_ms), 0)::float8 AS total_duration_ms, count(*) FILTER (WHERE a.anomaly)::int AS anomalies
         FROM actions a WHERE a.tenant_id = $1 AND a.session_id = $2`,
      [tenantId, sessionId],
    );
    const group = async (column: string) =>
      Object.fromEntries(
        (
          await this.db.query<{ k: string | null; n: number }>(
            tenantId,
            `SELECT ${column} AS k, count(*)::int AS n FROM actions WHERE tenant_id = $1 AND session_id = $2 GROUP BY 1 ORDER BY 1`,
            [tenantId, sessionId],
          )
        ).map((r) => [r.k ?? 'none', r.n]),
      );
    const [events] = await this.db.query<{ n: number }>(tenantId, `SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND session_id = $2`, [tenantId, sessionId]);
    return { ...row, by_status: await group('status'), by_risk_level: await group('risk_level'), by_approval_decision: await group('approval_decision'), events: events.n };
  }
}
