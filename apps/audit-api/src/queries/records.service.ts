import { Injectable } from '@nestjs/common';
import { REDACTED } from '@agent-ledger/contracts';
import { ApiError } from '@agent-ledger/runtime';
import { EscalationsRepository } from '../escalations/escalations.repository';
import { toEscalation } from '../escalations/escalations.service';
import { PiiReader } from '../privacy/pii-reader.service';
import { RetentionHorizon } from '../retention/retention-horizon.service';
import { decodeCursor, encodeCursor, type ActionFilter, type ActionSort, type EventFilter } from './query-filters';
import { RecordsRepository, type ActionPosition, type ActionRecord, type EventRecord } from './records.repository';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

/** An action as the API shows it. */
export function toAction(r: ActionRecord) {
  return {
    actionId: r.action_id,
    status: r.status,
    sessionId: r.session_id,
    agent: r.agent_id ? { id: r.agent_id, name: r.agent_name } : null,
    actor: r.actor_id ? { type: r.actor_type, id: r.actor_id } : null,
    tool: r.tool_name ? { name: r.tool_name, provider: r.tool_provider, riskLevel: r.risk_level } : null,
    approval:
      r.approval_required === null && !r.approval_decision
        ? null
        : { required: r.approval_required, decision: r.approval_decision, approvedBy: r.approved_by, approvalId: r.approval_id, decisionMs: r.approval_decision_ms },
    taskId: r.task_id,
    plan: r.plan_id ? { planId: r.plan_id, stepId: r.step_id } : null,
    stages: { attemptedAt: iso(r.attempted_at), confirmedAt: iso(r.confirmed_at), executedAt: iso(r.executed_at), failedAt: iso(r.failed_at), cancelledAt: iso(r.cancelled_at) },
    firstEventAt: iso(r.first_event_at),
    lastEventAt: iso(r.last_event_at),
    durationMs: r.duration_ms,
    error: r.error_message ? { message: r.error_message, code: r.error_code } : null,
    subjectId: r.subject_id,
    eventCount: r.event_count,
    anomaly: r.anomaly,
    anomalies: r.anomalies,
  };
}

/** JSON pointers of the values ingest redacted (whole values, or card numbers inside text). */
export function redactionMarkers(event: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, path: string) => {
    if (typeof v === 'string') {
      if (v.includes(REDACTED)) out.push(path);
    } else if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}/${i}`));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`);
  };
  walk(event, '');
  return out;
}

@Injectable()
export class RecordsService {
  constructor(
    private readonly records: RecordsRepository,
    private readonly pii: PiiReader,
    private readonly escalations: EscalationsRepository,
    private readonly horizon: RetentionHorizon,
  ) {}

  /** 409 before_retention_horizon when `from` reaches into a purged period (every query and export with `from` checks it here). */
  assertLive(tenantId: string, from: Date | undefined): Promise<void> {
    return this.horizon.assertLive(tenantId, from);
  }

  /** The escalation state of a session: counts by status and the escalations not resolved. */
  private async sessionEscalations(tenantId: string, sessionId: string | null) {
    if (!sessionId) return { open: 0, acknowledged: 0, resolved: 0, active: [] };
    const rows = (await this.escalations.bySession(tenantId, sessionId)).map(toEscalation);
    const n = (st: string) => rows.filter((r) => r.status === st).length;
    return { open: n('open'), acknowledged: n('acknowledged'), resolved: n('resolved'), active: rows.filter((r) => r.status !== 'resolved') };
  }

  /** A cursor belongs to one order: a `recent` cursor is refused by `duration_desc` and the reverse (400, field `cursor`). */
  async listActions(tenantId: string, f: ActionFilter, sort: ActionSort, limit: number, cursor?: string): Promise<Page<ReturnType<typeof toAction>>> {
    await this.assertLive(tenantId, f.from);
    let after: ActionPosition | undefined;
    if (cursor && sort === 'duration_desc') {
      const [durationMs, seq] = decodeCursor('slowest', tenantId, cursor);
      after = { durationMs, seq };
    } else if (cursor) after = { seq: decodeCursor('actions', tenantId, cursor)[0] };
    const rows = await this.records.listActions(tenantId, f, sort, limit + 1, after);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    const next = () =>
      sort === 'duration_desc' ? encodeCursor('slowest', tenantId, [Number(last.duration_ms), last.seq]) : encodeCursor('actions', tenantId, [last.seq]);
    return { items: page.map(toAction), nextCursor: rows.length > limit ? next() : null };
  }

  async action(tenantId: string, actionId: string, pii: boolean) {
    const row = await this.records.findAction(tenantId, actionId);
    if (!row) throw ApiError.notFound('action_not_found', `no action ${actionId}`, 'actionId');
    const events = await this.toEvents(tenantId, await this.records.eventsOfAction(tenantId, actionId), pii);
    const timeline = events.map((e) => {
      const ev = e.event as Record<string, unknown>;
      return {
        eventId: e.eventId,
        type: ev.type,
        occurredAt: ev.occurredAt,
        receivedAt: ev.receivedAt,
        recordedAt: e.recordedAt,
        approval: ev.approval ?? null,
        durationMs: ev.durationMs ?? null,
        error: ev.error ?? null,
        redacted: redactionMarkers(ev),
        event: ev,
      };
    });
    return { ...toAction(row), timeline, sessionEscalations: await this.sessionEscalations(tenantId, row.session_id) };
  }

  async listEvents(tenantId: string, f: EventFilter, limit: number, pii: boolean, cursor?: string): Promise<Page<Awaited<ReturnType<RecordsService['toEvents']>>[number]>> {
    await this.assertLive(tenantId, f.from);
    let before: { at: string; id: string } | undefined;
    if (cursor) {
      const [at, id] = decodeCursor('events', tenantId, cursor);
      before = { at, id };
    }
    const rows = await this.records.listEvents(tenantId, f, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: await this.toEvents(tenantId, page, pii), nextCursor: rows.length > limit ? encodeCursor('events', tenantId, [new Date(last.occurred_at).toISOString(), last.event_id]) : null };
  }

  /** Stored events with their place in the chain, PII opened for a reader with the `pii` scope (else redacted). */
  async toEvents(tenantId: string, rows: EventRecord[], pii: boolean) {
    const opened = await this.pii.reveal(tenantId, rows.map((r) => JSON.parse(r.event_json) as Record<string, unknown>), pii);
    return rows.map((r, i) => ({
      eventId: r.event_id,
      recordedAt: iso(r.recorded_at),
      chain: { partition: r.kafka_partition, seq: r.chain_seq, hash: r.hash },
      event: opened[i],
    }));
  }

  async sessionSummary(tenantId: string, sessionId: string) {
    const s = await this.records.sessionSummary(tenantId, sessionId);
    if (!s.actions && !s.events) throw ApiError.notFound('session_not_found', `no session ${sessionId}`, 'sessionId');
    return {
      sessionId,
      actions: s.actions,
      events: s.events,
      byStatus: s.by_status,
      byRiskLevel: s.by_risk_level,
      byApprovalDecision: s.by_approval_decision,
      totalDurationMs: s.total_duration_ms,
      anomalies: s.anomalies,
      firstEventAt: iso(s.first_event_at as Date | null),
      lastEventAt: iso(s.last_event_at as Date | null),
      escalations: await this.sessionEscalations(tenantId, sessionId),
    };
  }
}
