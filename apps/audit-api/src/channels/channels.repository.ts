import { Injectable } from '@nestjs/common';
import { TenantDatabase, type EntityManager } from '@agent-ledger/persistence';
import type { ChannelFilterDto, WebhookFilterDto } from './channels.dto';

export interface EndpointRow {
  id: string;
  position: number;
  url: string;
  format: string;
  filter: WebhookFilterDto;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  secretVersion: number;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EmailChannelRow {
  recipients: string[];
  filter: ChannelFilterDto;
}

export interface EndpointWrite {
  id: string;
  position: number;
  url: string;
  format: string;
  filter: WebhookFilterDto;
}

const ENDPOINT_COLUMNS = `id::text AS id, position, url, format, filter, enabled, disabled_reason AS "disabledReason", disabled_at AS "disabledAt",
  failing_since AS "failingSince", secret_version AS "secretVersion", previous_secret_expires_at AS "previousSecretExpiresAt",
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** A tenant's channels, through the tenant's row-level-security scope. */
@Injectable()
export class ChannelsRepository {
  constructor(private readonly db: TenantDatabase) {}

  transaction<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.run(tenantId, work);
  }

  async email(m: EntityManager, tenantId: string): Promise<EmailChannelRow> {
    const [row] = await m.query(`SELECT email_recipients AS recipients, email_filter AS filter FROM notification_channels WHERE tenant_id = $1`, [tenantId]);
    return row ?? { recipients: [], filter: {} };
  }

  async endpoints(m: EntityManager, tenantId: string, lock = false): Promise<EndpointRow[]> {
    return m.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE tenant_id = $1 ORDER BY position${lock ? ' FOR UPDATE' : ''}`, [tenantId]);
  }

  async saveEmail(m: EntityManager, tenantId: string, email: EmailChannelRow): Promise<void> {
    await m.query(
      `INSERT INTO notification_channels (tenant_id, email_recipients, email_filter, updated_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (tenant_id) DO UPDATE SET email_recipients = EXCLUDED.email_recipients, email_filter = EXCLUDED.email_filter, updated_at = now()`,
      [tenantId, email.recipients, JSON.stringify(email.filter)],
    );
  }

  async insertEndpoint(m: EntityManager, tenantId: string, e: EndpointWrite, secretWrapped: Buffer): Promise<void> {
    await m.query(
      `INSERT INTO webhook_endpoints (id, tenant_id, position, url, format, filter, secret_version, secret_wrapped) VALUES ($1, $2, $3, $4, $5, $6, 1, $7)`,
      [e.id, tenantId, e.position, e.url, e.format, JSON.stringify(e.filter), secretWrapped],
    );
  }

  /** Updates an endpoint; `enabled` true clears a disablement (and the failure streak), false disables it. */
  async updateEndpoint(m: EntityManager, tenantId: string, e: EndpointWrite, enabled: boolean | undefined): Promise<void> {
    await m.query(
      `UPDATE webhook_endpoints SET position = $3, url = $4, format = $5, filter = $6, updated_at = now(),
              enabled = coalesce($7, enabled),
              disabled_reason = CASE WHEN $7 IS NULL THEN disabled_reason WHEN $7 THEN NULL ELSE coalesce(disabled_reason, 'disabled through the API') END,
              disabled_at = CASE WHEN $7 IS NULL THEN disabled_at WHEN $7 THEN NULL ELSE coalesce(disabled_at, now()) END,
              failing_since = CASE WHEN $7 THEN NULL ELSE failing_since END
        WHERE id = $1 AND tenant_id = $2`,
      [e.id, tenantId, e.position, e.url, e.format, JSON.stringify(e.filter), enabled ?? null],
    );
  }

  async deleteEndpoints(m: EntityManager, tenantId: string, ids: string[]): Promise<void> {
    if (ids.length) await m.query(`DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = ANY($2::uuid[])`, [tenantId, ids]);
  }

  async findEndpoint(m: EntityManager, tenantId: string, id: string): Promise<(EndpointRow & { secretWrapped: Buffer }) | undefined> {
    const [row] = await m.query(`SELECT ${ENDPOINT_COLUMNS}, secret_wrapped AS "secretWrapped" FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2 FOR UPDATE`, [tenantId, id]);
    return row;
  }

  /** The current secret becomes the previous one until `previousExpiresAt` (none when null); `wrapped` is the new one. */
  async rotateSecret(m: EntityManager, tenantId: string, id: string, version: number, wrapped: Buffer, previousExpiresAt: Date | null): Promise<void> {
    await m.query(
      `UPDATE webhook_endpoints SET
              previous_secret_version = CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE secret_version END,
              previous_secret_wrapped = CASE WHEN $5::timestamptz IS NULL THEN NULL ELSE secret_wrapped END,
              previous_secret_expires_at = $5::timestamptz,
              secret_version = $3, secret_wrapped = $4, updated_at = now()
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, version, wrapped, previousExpiresAt],
    );
  }
}
