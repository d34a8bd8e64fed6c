import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '@agent-ledger/auth';
import { escalationScopeOf, type EscalationReason, type Severity } from '@agent-ledger/contracts';
import { resolveSettings, settingsInputSchema, type EscalationSettingsInput } from '@agent-ledger/escalation-rules';
import { ApiError } from '@agent-ledger/runtime';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import { decodeCursor, encodeCursor } from '../queries/query-filters';
import { EscalationsProducer } from './escalations.producer';
import { EscalationsRepository, type EscalationFilter, type EscalationRow } from './escalations.repository';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

export function toEscalation(r: EscalationRow) {
  return {
    escalationId: r.escalation_id,
    sessionId: r.session_id,
    /** `tenant` for a tenant-wide alert (its session id is synthetic), else `session`. */
    scope: escalationScopeOf(r.reason),
    actionId: r.action_id,
    reason: r.reason,
    severity: r.severity,
    status: r.status,
    summary: r.summary,
    customerMessage: r.customer_message,
    count: r.count,
    triggeringEventIds: r.triggering_event_ids,
    openedAt: iso(r.opened_at),
    lastSeenAt: iso(r.last_seen_at),
    acknowledgedAt: iso(r.acknowledged_at),
    acknowledgedBy: r.acknowledged_by,
    resolvedAt: iso(r.resolved_at),
    resolvedBy: r.resolved_by,
    notes: r.notes,
  };
}

const who = (p: Principal) => (p.kind === 'root' ? 'root-key' : `api-key:${p.keyId}`);

@Injectable()
export class EscalationsService {
  constructor(
    private readonly repository: EscalationsRepository,
    private readonly producer: EscalationsProducer,
    private readonly changes: ChangeRecorder,
  ) {}

  async list(tenantId: string, f: EscalationFilter, limit: number, cursor?: string) {
    let before: { at: string; id: string } | undefined;
    if (cursor) {
      const [at, id] = decodeCursor('escalations', tenantId, cursor);
      before = { at, id };
    }
    const rows = await this.repository.list(tenantId, f, limit + 1, before);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return { items: page.map(toEscalation), nextCursor: rows.length > limit ? encodeCursor('escalations', tenantId, [new Date(last.opened_at).toISOString(), last.escalation_id]) : null };
  }

  async get(tenantId: string, escalationId: string) {
    const row = await this.repository.find(tenantId, escalationId);
    if (!row) throw ApiError.notFound('escalation_not_found', `no escalation ${escalationId}`, 'escalationId');
    const history = await this.repository.history(tenantId, escalationId);
    return { ...toEscalation(row), history: history.map((h) => ({ eventId: h.event_id, type: h.type, occurredAt: iso(h.occurred_at), event: h.payload })) };
  }

  /** A manual escalation, published like the worker's. */
  async open(tenantId: string, p: Principal, body: { sessionId: string; reason: EscalationReason; note: string; severity: Severity; actionId?: string }) {
    const escalationId = randomUUID();
    const eventId = randomUUID();
    const settings = resolveSettings(settingsInputSchema.safeParse(await this.repository.storedSettings(tenantId)).data);
    const customerMessage = body.reason !== 'manual' && body.reason in settings.rules ? settings.rules[body.reason as keyof typeof settings.rules].customerMessage : settings.rules.customer_request.customerMessage;
    await this.producer.publish({
      type: 'escalation.opened',
      eventId,
      escalationId,
      tenantId,
      sessionId: body.sessionId,
      ...(body.actionId ? { actionId: body.actionId } : {}),
      reason: body.reason,
      severity: body.severity,
      summary: `${body.note} (opened by ${who(p)})`,
      customerMessage,
      triggeringEventIds: [],
      count: 1,
      occurredAt: new Date().toISOString(),
    });
    return { escalationId, eventId, status: 'open' };
  }

  async acknowledge(tenantId: string, p: Principal, escalationId: string, body: { acknowledgedBy?: string; note?: string }) {
    const row = await this.mustFind(tenantId, escalationId);
    if (row.status !== 'open') throw ApiError.conflict('escalation_not_open', `escalation ${escalationId} is ${row.status}`, 'escalationId');
    const eventId = randomUUID();
    await this.producer.publish({
      type: 'escalation.acknowledged',
      eventId,
      escalationId,
      tenantId,
      sessionId: row.session_id,
      occurredAt: new Date().toISOString(),
      acknowledgedBy: body.acknowledgedBy ?? who(p),
      ...(body.note ? { note: body.note } : {}),
    });
    return { escalationId, eventId, status: 'acknowledged' };
  }

  async resolve(tenantId: string, p: Principal, escalationId: string, body: { resolvedBy?: string; notes?: string }) {
    const row = await this.mustFind(tenantId, escalationId);
    if (row.status === 'resolved') throw ApiError.conflict('escalation_resolved', `escalation ${escalationId} is already resolved`, 'escalationId');
    const eventId = randomUUID();
    await this.producer.publish({
      type: 'escalation.resolved',
      eventId,
      escalationId,
      tenantId,
      sessionId: row.session_id,
      occurredAt: new Date().toISOString(),
      resolvedBy: body.resolvedBy ?? who(p),
      ...(body.notes ? { notes: body.notes } : {}),
    });
    return { escalationId, eventId, status: 'resolved' };
  }

  async rules(tenantId: string) {
    const stored = await this.repository.storedSettings(tenantId);
    const parsed = settingsInputSchema.safeParse(stored ?? {});
    return { settings: resolveSettings(parsed.success ? parsed.data : undefined), overrides: stored ?? {} };
  }

  async saveRules(tenantId: string, ctx: ChangeContext, input: EscalationSettingsInput) {
    await this.repository.transaction(tenantId, async (m) => {
      const before = await this.repository.saveSettings(m, tenantId, input);
      await this.changes.record(m, ctx, { tenantId, resource: { type: 'escalation_rules', id: tenantId }, action: 'escalation_rules.updated', before: before ?? null, after: input });
    });
    this.changes.flushSoon();
    return this.rules(tenantId);
  }

  private async mustFind(tenantId: string, escalationId: string): Promise<EscalationRow> {
    const row = await this.repository.find(tenantId, escalationId);
    if (!row) throw ApiError.notFound('escalation_not_found', `no escalation ${escalationId}`, 'escalationId');
    return row;
  }
}
