import { Inject, Injectable } from '@nestjs/common';
import type { NotifierConfig } from '../config/notifier.config';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { EventSubscriptionsRepository, type TenantSubscriptions } from './event-subscriptions.repository';
import { wantsLedgerEvents } from './ledger-event-filter';

/** Bound on the tenants remembered; the oldest entries go first beyond it. */
export const MAX_CACHED_TENANTS = 10_000;

const NONE: TenantSubscriptions = { tenantName: '', subscriptions: [] };

/**
 * Each tenant's webhook subscriptions to ledger events, remembered for
 * NOTIFIER_EVENT_FILTER_CACHE_MS: most events are wanted by no channel, and deciding that must
 * cost a map lookup, not a query. Tenants missing or expired in a batch are loaded in one query;
 * a tenant without subscriptions (or unknown) is remembered as such. A filter change reaches the
 * notifier within the cache period.
 */
@Injectable()
export class EventSubscriptionsCache {
  private readonly entries = new Map<string, { value: TenantSubscriptions; expiresAt: number }>();
  private readonly ttlMs: number;

  constructor(
    private readonly repository: EventSubscriptionsRepository,
    @Inject(NOTIFIER_CONFIG) config: Pick<NotifierConfig, 'NOTIFIER_EVENT_FILTER_CACHE_MS'>,
  ) {
    this.ttlMs = config.NOTIFIER_EVENT_FILTER_CACHE_MS;
  }

  async forTenants(tenantIds: Iterable<string>, now: number = Date.now()): Promise<Map<string, TenantSubscriptions>> {
    const answer = new Map<string, TenantSubscriptions>();
    const missing: string[] = [];
    for (const id of new Set(tenantIds)) {
      const hit = this.entries.get(id);
      if (hit && hit.expiresAt > now) answer.set(id, hit.value);
      else missing.push(id);
    }
    if (!missing.length) return answer;
    const loaded = await this.repository.forTenants(missing);
    for (const id of missing) {
      const row = loaded.get(id);
      const value: TenantSubscriptions = row ? { tenantName: row.tenantName, subscriptions: row.endpoints.filter((e) => wantsLedgerEvents(e.filter)) } : NONE;
      answer.set(id, value);
      this.remember(id, value, now);
    }
    return answer;
  }

  private remember(id: string, value: TenantSubscriptions, now: number): void {
    if (this.ttlMs === 0) return;
    this.entries.delete(id);
    this.entries.set(id, { value, expiresAt: now + this.ttlMs });
    if (this.entries.size > MAX_CACHED_TENANTS) this.entries.delete(this.entries.keys().next().value!);
  }
}
