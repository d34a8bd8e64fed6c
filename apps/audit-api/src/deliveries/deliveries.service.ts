import { Injectable } from '@nestjs/common';
import { ApiError } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import { decodeCursor, encodeCursor, type ListDeliveriesDto } from './deliveries.dto';
import { DeliveriesRepository, type AttemptRow, type DeliveryRow } from './deliveries.repository';

export interface DeliveryView {
  id: string;
  escalationId: string | null;
  eventId: string | null;
  eventType: string;
  channel: string;
  /** The recipient's address or the endpoint's URL. */
  target: string;
  endpointId: string | null;
  /** `webhook-id` of a webhook, `Message-ID` of an email: the same on every attempt and replay. */
  messageId: string;
  status: string;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  manualRetries: number;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
  createdAt: string;
  updatedAt: string;
  attempts: { attempt: number; startedAt: string; durationMs: number; statusCode: number | null; outcome: string; error: string | null }[];
}

/** The delivery log: every notification and each of its attempts; replay of finished ones. */
@Injectable()
export class DeliveriesService {
  private readonly log = createLogger(DeliveriesService.name);

  constructor(
    private readonly repository: DeliveriesRepository,
    private readonly changes: ChangeRecorder,
  ) {}

  async list(tenantId: string, q: ListDeliveriesDto): Promise<{ deliveries: DeliveryView[]; nextCursor: string | null }> {
    const after = q.cursor ? decodeCursor(tenantId, q.cursor) : undefined;
    const rows = await this.repository.list(tenantId, { ...q, after, limit: q.limit + 1 });
    const page = rows.slice(0, q.limit);
    const attempts = await this.repository.attemptsOf(tenantId, page.map((r) => r.id));
    const last = page[page.length - 1];
    return {
      deliveries: page.map((r) => toView(r, attempts.filter((a) => a.deliveryId === r.id))),
      nextCursor: rows.length > q.limit && last ? encodeCursor(tenantId, last.position, last.id) : null,
    };
  }

  /**
   * Replays a delivered or failed delivery: back to pending under a new job id, queued by the
   * notifier within its sweep interval, with the same message id (receivers can tell a replay).
   */
  async retry(tenantId: string, id: string, ctx: ChangeContext): Promise<DeliveryView> {
    const row = await this.repository.transaction(tenantId, async (m) => {
      const current = await this.repository.find(m, tenantId, id);
      if (!current) throw ApiError.notFound('delivery_not_found', `no delivery ${id}`, 'id');
      if (current.status === 'pending' || current.status === 'retrying') {
        throw ApiError.conflict('delivery_in_progress', `delivery ${id} is ${current.status}: it is still being attempted`, 'id');
      }
      if (current.channel === 'webhook' && current.endpointId) {
        const enabled = await this.repository.endpointEnabled(m, tenantId, current.endpointId);
        if (enabled === undefined) throw ApiError.conflict('endpoint_removed', `the endpoint of delivery ${id} was removed`, 'id');
        if (!enabled) throw ApiError.conflict('endpoint_disabled', `the endpoint of delivery ${id} is disabled; enable it with PUT /v1/channels first`, 'id');
      }
      await this.repository.requeue(m, tenantId, id);
      await this.changes.record(m, ctx, {
        tenantId,
        resource: { type: 'delivery', id },
        action: 'delivery.retried',
        before: { status: current.status, manualRetries: current.manualRetries },
        after: { status: 'pending', manualRetries: current.manualRetries + 1 },
      });
      return (await this.repository.find(m, tenantId, id))!;
    });
    this.changes.flushSoon();
    this.log.info({ tenantId, deliveryId: id, channel: row.channel }, 'delivery replay requested');
    return toView(row, await this.repository.attemptsOf(tenantId, [id]));
  }
}

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

function toView(r: DeliveryRow, attempts: AttemptRow[]): DeliveryView {
  return {
    id: r.id,
    escalationId: r.escalationId,
    eventId: r.eventId,
    eventType: r.eventType,
    channel: r.channel,
    target: r.target,
    endpointId: r.endpointId,
    messageId: r.messageId,
    status: r.status,
    attemptCount: r.attempts,
    lastStatusCode: r.lastStatusCode,
    lastError: r.lastError,
    manualRetries: r.manualRetries,
    nextAttemptAt: iso(r.nextAttemptAt),
    deliveredAt: iso(r.deliveredAt),
    createdAt: iso(r.createdAt)!,
    updatedAt: iso(r.updatedAt)!,
    attempts: attempts.map((a) => ({ attempt: a.attempt, startedAt: iso(a.startedAt)!, durationMs: a.durationMs, statusCode: a.statusCode, outcome: a.outcome, error: a.error })),
  };
}
