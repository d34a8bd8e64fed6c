import { Injectable } from '@nestjs/common';
import type { EscalationEvent, EscalationEventType, EscalationReason, EventType, RiskLevel, Severity } from '@agent-ledger/contracts';
import { DataSource } from '@agent-ledger/persistence';
import type { DeliveryPayload, EscalationContext, NotificationPayload } from './notification-payload';

export type DeliveryChannel = 'email' | 'webhook';
export type DeliveryStatus = 'pending' | 'retrying' | 'delivered' | 'failed';
export type AttemptOutcome = 'delivered' | 'retry' | 'failed';

/**
 * Which events a channel wants: escalation events (by reason and severity) and, for webhooks,
 * ledger events (by the tool's risk level and name). audit-api validated it.
 */
export interface ChannelFilter {
  reasons?: EscalationReason[];
  minSeverity?: Severity;
  events?: (EscalationEventType | EventType)[];
  riskLevels?: RiskLevel[];
  tools?: string[];
}

export interface WebhookEndpointRow {
  id: string;
  tenantId: string;
  url: string;
  format: 'standard' | 'slack' | 'discord';
  filter: ChannelFilter;
  enabled: boolean;
  secretVersion: number;
  secretWrapped: Buffer;
  previousSecretVersion: number | null;
  previousSecretWrapped: Buffer | null;
  previousSecretExpiresAt: Date | null;
  failingSince: Date | null;
}

export interface TenantChannels {
  emailRecipients: string[];
  emailFilter: ChannelFilter;
  endpoints: WebhookEndpointRow[];
}

export interface NewDelivery {
  id: string;
  tenantId: string;
  dedupKey: string;
  escalationId?: string;
  eventId?: string;
  eventType: string;
  channel: DeliveryChannel;
  target: string;
  endpointId?: string;
  messageId: string;
  payload: DeliveryPayload;
}

/** A stored delivery; `P` is what its channel carries (email: {@link NotificationPayload}). */
export interface DeliveryRow<P extends DeliveryPayload = NotificationPayload> {
  id: string;
  tenantId: string;
  channel: DeliveryChannel;
  target: string;
  endpointId: string | null;
  messageId: string;
  payload: P;
  status: DeliveryStatus;
  attempts: number;
  jobId: string;
}

export interface QueuedRef {
  id: string;
  tenantId: string;
  channel: DeliveryChannel;
  jobId: string;
  status: DeliveryStatus;
}

export interface AttemptRecord {
  jobId: string;
  startedAt: Date;
  durationMs: number;
  statusCode?: number;
  outcome: AttemptOutcome;
  error?: string;
  /** When the next attempt is due (outcome `retry`). */
  nextAttemptAt?: Date;
}

const ENDPOINT_COLUMNS = `id::text AS id, tenant_id::text AS "tenantId", url, format, filter, enabled,
  secret_version AS "secretVersion", secret_wrapped AS "secretWrapped",
  previous_secret_version AS "previousSecretVersion", previous_secret_wrapped AS "previousSecretWrapped",
  previous_secret_expires_at AS "previousSecretExpiresAt", failing_since AS "failingSince"`;

/** The notifier's tables: channels (read), escalation context, deliveries and their attempts. */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly ds: DataSource) {}

  async tenantName(tenantId: string): Promise<string | undefined> {
    const [row] = await this.ds.query(`SELECT name FROM tenants WHERE id = $1`, [tenantId]);
    return row?.name;
  }

  async channelsOf(tenantId: string): Promise<TenantChannels> {
    const [channels] = await this.ds.query(`SELECT email_recipients AS "emailRecipients", email_filter AS "emailFilter" FROM notification_channels WHERE tenant_id = $1`, [tenantId]);
    const endpoints: WebhookEndpointRow[] = await this.ds.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY position`, [tenantId]);
    return { emailRecipients: channels?.emailRecipients ?? [], emailFilter: channels?.emailFilter ?? {}, endpoints };
  }

  async findEndpoint(id: string): Promise<WebhookEndpointRow | undefined> {
    const [row] = await this.ds.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
    return row;
  }

  /** Remembers what an escalation is about (its opened event), and a severity raised by an update. */
  async recordContext(event: EscalationEvent): Promise<void> {
    if (event.type === 'escalation.opened') {
      await this.ds.query(
        `INSERT INTO notification_escalations (escalation_id, tenant_id, session_id, action_id, reason, severity, summary, opened_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (escalation_id) DO NOTHING`,
        [event.escalationId, event.tenantId, event.sessionId, event.actionId ?? null, event.reason, event.severity, event.summary, event.occurredAt],
      );
    } else if (event.type === 'escalation.updated' && event.severity) {
      await this.ds.query(`UPDATE notification_escalations SET severity = $2, updated_at = now() WHERE escalation_id = $1 AND tenant_id = $3`, [event.escalationId, event.severity, event.tenantId]);
    }
  }

  async findContext(tenantId: string, escalationId: string): Promise<EscalationContext | undefined> {
    const [row] = await this.ds.query(
      `SELECT reason, severity, summary, session_id AS "sessionId", action_id AS "actionId", opened_at AS "openedAt"
         FROM notification_escalations WHERE escalation_id = $1 AND tenant_id = $2`,
      [escalationId, tenantId],
    );
    if (!row) return undefined;
    return { reason: row.reason, severity: row.severity, summary: row.summary, sessionId: row.sessionId, actionId: row.actionId ?? undefined, openedAt: new Date(row.openedAt).toISOString() };
  }

  /**
   * Inserts the deliveries that do not exist yet (by `dedup_key`) and returns every one of them as
   * stored — new or from an earlier delivery of the same event.
   */
  async upsertDeliveries(rows: NewDelivery[]): Promise<QueuedRef[]> {
    if (!rows.length) return [];
    await this.ds.query(
      `INSERT INTO deliveries (id, tenant_id, dedup_key, escalation_id, event_id, event_type, channel, target, endpoint_id, message_id, payload, status, job_id)
       SELECT d.id, d.tenant_id, d.dedup_key, d.escalation_id, d.event_id, d.event_type, d.channel, d.target, d.endpoint_id, d.message_id, d.payload, 'pending', d.dedup_key
         FROM jsonb_to_recordset($1::jsonb) AS d(id uuid, tenant_id uuid, dedup_key text, escalation_id uuid, event_id uuid, event_type text, channel text, target text, endpoint_id uuid, message_id text, payload jsonb)
       ON CONFLICT (dedup_key) DO NOTHING`,
      [
        JSON.stringify(
          rows.map((r) => ({
            id: r.id,
            tenant_id: r.tenantId,
            dedup_key: r.dedupKey,
            escalation_id: r.escalationId ?? null,
            event_id: r.eventId ?? null,
            event_type: r.eventType,
            channel: r.channel,
            target: r.target,
            endpoint_id: r.endpointId ?? null,
            message_id: r.messageId,
            payload: r.payload,
          })),
        ),
      ],
    );
    return this.ds.query(
      `SELECT id::text AS id, tenant_id::text AS "tenantId", channel, job_id AS "jobId", status FROM deliveries WHERE dedup_key = ANY($1::text[])`,
      [rows.map((r) => r.dedupKey)],
    );
  }

  /** Notes that the delivery's current job is in the queue (unless an API retry replaced the job since). */
  async markEnqueued(id: string, jobId: string): Promise<void> {
    await this.ds.query(`UPDATE deliveries SET enqueued_at = now(), updated_at = now() WHERE id = $1 AND job_id = $2 AND enqueued_at IS NULL`, [id, jobId]);
  }

  /** Pending deliveries whose job was never queued (an API retry, or an enqueue that failed). */
  async awaitingEnqueue(limit: number): Promise<QueuedRef[]> {
    return this.ds.query(
      `SELECT id::text AS id, tenant_id::text AS "tenantId", channel, job_id AS "jobId", status FROM deliveries
        WHERE enqueued_at IS NULL AND status = 'pending' ORDER BY created_at LIMIT $1`,
      [limit],
    );
  }

  /** Unfinished deliveries unchanged for `olderThanMs`: their job may have been lost; marks them checked. */
  async takeStale(olderThanMs: number, limit: number): Promise<QueuedRef[]> {
    // UPDATE … RETURNING answers [rows, count].
    const [rows] = await this.ds.query(
      `UPDATE deliveries SET updated_at = now() WHERE id IN (
         SELECT id FROM deliveries WHERE status IN ('pending', 'retrying') AND enqueued_at IS NOT NULL
            AND updated_at < now() - make_interval(secs => $1::double precision / 1000)
          ORDER BY updated_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id::text AS id, tenant_id::text AS "tenantId", channel, job_id AS "jobId", status`,
      [olderThanMs, limit],
    );
    return rows;
  }

  /** A delivery; webhook deliveries are read as `DeliveryRow<DeliveryPayload>` (they may carry ledger events). */
  async findDelivery<P extends DeliveryPayload = NotificationPayload>(id: string): Promise<DeliveryRow<P> | undefined> {
    const [row] = await this.ds.query(
      `SELECT id::text AS id, tenant_id::text AS "tenantId", channel, target, endpoint_id::text AS "endpointId", message_id AS "messageId",
              payload, status, attempts, job_id AS "jobId"
         FROM deliveries WHERE id = $1`,
      [id],
    );
    return row;
  }

  /** Records one attempt and the delivery's resulting state, together. Returns the attempt's number. */
  async recordAttempt(deliveryId: string, a: AttemptRecord): Promise<number> {
    return this.ds.transaction(async (m) => {
      const status: DeliveryStatus = a.outcome === 'delivered' ? 'delivered' : a.outcome === 'retry' ? 'retrying' : 'failed';
      const [[row]] = await m.query(
        `UPDATE deliveries SET attempts = attempts + 1, status = $2, last_status_code = $3, last_error = $4, next_attempt_at = $5,
                delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END, updated_at = now()
          WHERE id = $1 RETURNING attempts, tenant_id::text AS "tenantId"`,
        [deliveryId, status, a.statusCode ?? null, a.error?.slice(0, 2_000) ?? null, a.nextAttemptAt ?? null],
      );
      if (!row) return 0;
      await m.query(
        `INSERT INTO delivery_attempts (delivery_id, tenant_id, attempt, job_id, started_at, duration_ms, status_code, outcome, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [deliveryId, row.tenantId, row.attempts, a.jobId, a.startedAt, Math.round(a.durationMs), a.statusCode ?? null, a.outcome, a.error?.slice(0, 2_000) ?? null],
      );
      return row.attempts as number;
    });
  }

  /** A delivery whose job ended without recording an outcome (e.g. stalled too often) is failed, with the reason. */
  async failIfUnfinished(deliveryId: string, jobId: string, error: string): Promise<boolean> {
    const [, count] = await this.ds.query(
      `UPDATE deliveries SET status = 'failed', last_error = $3, next_attempt_at = NULL, updated_at = now()
        WHERE id = $1 AND job_id = $2 AND status IN ('pending', 'retrying') RETURNING id`,
      [deliveryId, jobId, error.slice(0, 2_000)],
    );
    return count > 0;
  }

  async endpointSucceeded(endpointId: string): Promise<void> {
    await this.ds.query(`UPDATE webhook_endpoints SET failing_since = NULL WHERE id = $1 AND failing_since IS NOT NULL`, [endpointId]);
  }

  /** Notes a failure; returns since when the endpoint has been failing without a success. */
  async endpointFailed(endpointId: string, at: Date): Promise<Date | undefined> {
    const [[row]] = await this.ds.query(`UPDATE webhook_endpoints SET failing_since = coalesce(failing_since, $2) WHERE id = $1 RETURNING failing_since AS "failingSince"`, [endpointId, at]);
    return row?.failingSince ? new Date(row.failingSince) : undefined;
  }

  /** Disables an enabled endpoint; true only for the call that disabled it. */
  async disableEndpoint(endpointId: string, reason: string): Promise<{ disabledAt: Date } | undefined> {
    const [rows] = await this.ds.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = $2, disabled_at = now(), updated_at = now()
        WHERE id = $1 AND enabled RETURNING disabled_at AS "disabledAt"`,
      [endpointId, reason],
    );
    const row = rows[0];
    return row ? { disabledAt: new Date(row.disabledAt) } : undefined;
  }
}
