import { Injectable } from '@nestjs/common';
import { DataSource } from '@agent-ledger/persistence';
import type { ChannelFilter } from '../delivery/deliveries.repository';

/** An enabled webhook endpoint whose filter names at least one ledger event type. */
export interface EventSubscription {
  endpointId: string;
  url: string;
  filter: ChannelFilter;
}

export interface TenantSubscriptions {
  tenantName: string;
  subscriptions: EventSubscription[];
}

/** Reads which webhooks want ledger events, for many tenants in one query. */
@Injectable()
export class EventSubscriptionsRepository {
  constructor(private readonly ds: DataSource) {}

  /**
   * Per known tenant: its name and its enabled endpoints whose filter lists `events` (the caller
   * keeps those that name a ledger event type). Unknown tenants are absent from the answer.
   */
  async forTenants(tenantIds: string[]): Promise<Map<string, { tenantName: string; endpoints: EventSubscription[] }>> {
    const rows: { tenantId: string; tenantName: string; endpointId: string | null; url: string | null; filter: ChannelFilter | null }[] = await this.ds.query(
      `SELECT t.id::text AS "tenantId", t.name AS "tenantName", e.id::text AS "endpointId", e.url, e.filter
         FROM tenants t
         LEFT JOIN webhook_endpoints e ON e.tenant_id = t.id AND e.enabled AND jsonb_typeof(e.filter -> 'events') = 'array'
        WHERE t.id = ANY($1::uuid[])
        ORDER BY t.id, e.position`,
      [tenantIds],
    );
    const byTenant = new Map<string, { tenantName: string; endpoints: EventSubscription[] }>();
    for (const r of rows) {
      const entry = byTenant.get(r.tenantId) ?? { tenantName: r.tenantName, endpoints: [] };
      if (r.endpointId && r.url && r.filter) entry.endpoints.push({ endpointId: r.endpointId, url: r.url, filter: r.filter });
      byTenant.set(r.tenantId, entry);
    }
    return byTenant;
  }
}
