import { Injectable } from '@nestjs/common';
import { TenantDatabase, type EntityManager } from '@agent-ledger/persistence';

export interface DeliveryRow {
  id: string;
  escalationId: string | null;
  eventId: string | null;
  eventType: string;
  channel: 'email' | 'webhook';
  target: string;
  endpointId: string | null;
  messageId: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  manualRetries: number;
  nextAttemptAt: Date | null;
  deliveredAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  /** created_at with microseconds (the cursor's position). */
  position: string;
}

export interface AttemptRow {
  deliveryId: string;
  attempt: number;
  startedAt: Date;
  durationMs: number;
  statusCode: number | null;
  outcome: string;
  error: string | null;
}

export interface DeliveryQuery {
  escalationId?: string;
  channel?: string;
  status?: string;
  from?: Date;
  to?: Date;
  after?: { createdAt: string; id: string };
  limit: number;
}

const COLUMNS = `id::text AS id, escalation_id::text AS "escalationId", event_id::text AS "eventId", event_type AS "eventType", channel, target,
  endpoint_id::text AS "endpointId", message_id AS "messageId", status, attempts, last_status_code AS "lastStatusCode", last_error AS "lastError",
  manual_retries AS "manualRetries", next_attempt_at AS "nextAttemptAt", delivered_at AS "deliveredAt", created_at AS "createdAt", updated_at AS "updatedAt",
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS position`;

/** The delivery log, through the tenant's row-level-security scope. */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly db: TenantDatabase) {}

  transaction<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.run(tenantId, work);
  }

  /** Newest first (created_at, id descending). */
  async list(tenantId: string, q: DeliveryQuery): Promise<DeliveryRow[]> {
    const params: unknown[] = [tenantId];
    const where = ['tenant_id = $1'];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (q.escalationId) add((p) => `escalation_id = ${p}::uuid`, q.escalationId);
    if (q.channel) add((p) => `channel = ${p}`, q.channel);
    if (q.status) add((p) => `status = ${p}`, q.status);
    if (q.from) add((p) => `created_at >= ${p}`, q.from);
    if (q.to) add((p) => `created_at < ${p}`, q.to);
    if (q.after) {
      params.push(q.after.createdAt, q.after.id);
      where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(q.limit);
    return this.db.query<DeliveryRow>(tenantId, `SELECT ${COLUMNS} FROM deliveries WHERE ${where.join(' AND ')} ORDER BY created_at DESC, deliveries.id DESC LIMIT $${params.length}`, params);
  }

  async attemptsOf(tenantId: string, deliveryIds: string[]): Promise<AttemptRow[]> {
    if (!deliveryIds.length) return [];
    return this.db.query<AttemptRow>(
      tenantId,
      `SELECT delivery_id::text AS "deliveryId", attempt, started_at AS "startedAt", duration_ms AS "durationMs", status_code AS "statusCode", outcome, error
         FROM delivery_attempts WHERE tenant_id = $1 AND delivery_id = ANY($2::uuid[]) ORDER BY delivery_id, attempt`,
      [tenantId, deliveryIds],
    );
  }

  async find(m: EntityManager, tenantId: string, id: string): Promise<DeliveryRow | undefined> {
    const [row] = await m.query(`SELECT ${COLUMNS} FROM deliveries WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
    return row;
  }

  async endpointEnabled(m: EntityManager, tenantId: string, endpointId: string): Promise<boolean | undefined> {
    const [row] = await m.query(`SELECT enabled FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`, [tenantId, endpointId]);
    return row?.enabled;
  }

  /**
   * Puts a finished delivery back to pending under a new job id (`<dedup key>-r<n>`); the notifier's
   * sweeper queues it. The message id (webhook-id, Message-ID) stays the same.
   */
  async requeue(m: EntityManager, tenantId: string, id: string): Promise<void> {
    await m.query(
      `UPDATE deliveries SET status = 'pending', manual_retries = manual_retries + 1, job_id = dedup_key || '-r' || (manual_retries + 1),
              enqueued_at = NULL, next_attempt_at = NULL, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
  }
}
