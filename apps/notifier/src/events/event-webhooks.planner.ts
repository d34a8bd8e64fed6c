import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ActionEvent } from '@agent-ledger/contracts';
import { counter, createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { dashboardLinks } from '../delivery/dashboard-links';
import { DeliveriesRepository, type NewDelivery } from '../delivery/deliveries.repository';
import type { LedgerEventNotice } from '../delivery/notification-payload';
import { NotificationPlanner } from '../delivery/notification-planner.service';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { EventSubscriptionsCache } from './event-subscriptions.cache';
import { ledgerEventMatches } from './ledger-event-filter';
import { summarizeLedgerEvent } from './ledger-event-summary';

const planned = () => counter('ledger_notifications_planned_total', 'Deliveries created from escalation and ledger events', ['channel']);

/** The delivery key of a ledger event for one endpoint: the same on every redelivery of the event. */
export const eventDeliveryKey = (eventId: string, endpointId: string): string => `${eventId}-webhook-${endpointId}`;

/**
 * Turns ledger events into webhook deliveries — one per (event, endpoint whose filter wants it) —
 * stored under a deterministic key and queued with that key as job id, through the same delivery
 * log and queue as escalations. Safe to repeat for the same events (a redelivered Kafka batch):
 * nothing is created or sent twice.
 */
@Injectable()
export class EventWebhooksPlanner {
  private readonly log = createLogger(EventWebhooksPlanner.name);

  constructor(
    private readonly subscriptions: EventSubscriptionsCache,
    private readonly repository: DeliveriesRepository,
    private readonly notifications: NotificationPlanner,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  /** Plans the deliveries of a batch of events; returns how many the filters asked for. */
  async plan(events: ActionEvent[]): Promise<number> {
    if (!events.length) return 0;
    const byTenant = await this.subscriptions.forTenants(events.map((e) => e.tenantId));
    const rows: NewDelivery[] = [];
    for (const event of events) {
      const tenant = byTenant.get(event.tenantId);
      if (!tenant?.subscriptions.length) continue;
      let notice: LedgerEventNotice | undefined;
      for (const s of tenant.subscriptions) {
        if (!ledgerEventMatches(s.filter, event)) continue;
        notice ??= this.noticeOf(event, tenant.tenantName);
        // webhook-id: the event id, the same for every endpoint and every attempt (the receivers' idempotency key).
        rows.push({
          id: randomUUID(),
          tenantId: event.tenantId,
          eventId: event.eventId,
          eventType: event.type,
          channel: 'webhook',
          target: s.url,
          endpointId: s.endpointId,
          dedupKey: eventDeliveryKey(event.eventId, s.endpointId),
          messageId: event.eventId,
          payload: notice,
        });
      }
    }
    if (!rows.length) return 0;
    await this.notifications.enqueue(await this.repository.upsertDeliveries(rows));
    planned().inc({ channel: 'webhook' }, rows.length);
    this.log.debug({ events: events.length, deliveries: rows.length }, 'ledger event deliveries planned');
    return rows.length;
  }

  private noticeOf(event: ActionEvent, tenantName: string): LedgerEventNotice {
    const base = this.config.dashboardUrl;
    return {
      kind: 'event',
      tenant: { id: event.tenantId, name: tenantName || event.tenantId },
      event: summarizeLedgerEvent(event),
      link: event.actionId ? dashboardLinks.action(base, event.actionId) : dashboardLinks.actions(base),
    };
  }
}
