import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isSeverityAtLeast, type EscalationEvent, type EscalationEventType } from '@agent-ledger/contracts';
import { counter, createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { dashboardLinks } from './dashboard-links';
import { DeliveriesRepository, type ChannelFilter, type DeliveryChannel, type NewDelivery, type QueuedRef, type WebhookEndpointRow } from './deliveries.repository';
import type { EndpointDisabledNotice, EscalationContext, EscalationNotice } from './notification-payload';
import { NotificationQueue } from './notification.queue';

/** Events a channel receives when its filter does not name any. */
export const DEFAULT_EVENTS: Record<DeliveryChannel, EscalationEventType[]> = {
  email: ['escalation.opened'],
  webhook: ['escalation.opened', 'escalation.acknowledged', 'escalation.resolved'],
};

/**
 * Whether a channel with this filter wants the event. A filter on reasons or severity needs the
 * escalation's reason/severity: when the notifier never saw the escalation open, it does not match.
 */
export function filterMatches(filter: ChannelFilter, channel: DeliveryChannel, event: EscalationEvent, context: EscalationContext | undefined): boolean {
  if (!(filter.events?.length ? filter.events : DEFAULT_EVENTS[channel]).includes(event.type)) return false;
  const reason = 'reason' in event ? event.reason : context?.reason;
  const severity = ('severity' in event && event.severity) || context?.severity;
  if (filter.reasons?.length && (!reason || !filter.reasons.includes(reason))) return false;
  if (filter.minSeverity && (!severity || !isSeverityAtLeast(severity, filter.minSeverity))) return false;
  return true;
}

/** Job and dedup key part of an email recipient: a hash, so addresses stay out of Redis keys. */
export const recipientKey = (address: string): string => createHash('sha256').update(address.trim().toLowerCase()).digest('hex').slice(0, 24);

const planned = () => counter('ledger_notifications_planned_total', 'Deliveries created from escalation and ledger events', ['channel']);

/**
 * Turns an escalation event into deliveries — one per email recipient and one per webhook endpoint
 * whose filter wants it — stored with a deterministic key and queued with that key as job id. Safe
 * to repeat for the same event (a redelivered Kafka message): nothing is created or sent twice.
 */
@Injectable()
export class NotificationPlanner {
  private readonly log = createLogger(NotificationPlanner.name);

  constructor(
    private readonly repository: DeliveriesRepository,
    private readonly queue: NotificationQueue,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async plan(event: EscalationEvent): Promise<number> {
    await this.repository.recordContext(event);
    const channels = await this.repository.channelsOf(event.tenantId);
    if (!channels.emailRecipients.length && !channels.endpoints.length) return 0;
    const context = event.type === 'escalation.opened' ? undefined : await this.repository.findContext(event.tenantId, event.escalationId);
    const tenant = { id: event.tenantId, name: (await this.repository.tenantName(event.tenantId)) ?? event.tenantId };
    const notice: EscalationNotice = { kind: 'escalation', tenant, event, context, link: this.escalationLink(event.escalationId) };
    const base = { tenantId: event.tenantId, escalationId: event.escalationId, eventId: event.eventId, eventType: event.type, payload: notice };

    const rows: NewDelivery[] = [];
    if (filterMatches(channels.emailFilter, 'email', event, context)) {
      for (const address of channels.emailRecipients) {
        const key = recipientKey(address);
        rows.push({ ...base, id: randomUUID(), channel: 'email', target: address, dedupKey: `${event.eventId}-email-${key}`, messageId: `<${event.eventId}.${key}@agent-ledger>` });
      }
    }
    for (const endpoint of channels.endpoints) {
      if (!endpoint.enabled || !filterMatches(endpoint.filter, 'webhook', event, context)) continue;
      // webhook-id: the event id, the same for every endpoint and every attempt (the receivers' idempotency key).
      rows.push({ ...base, id: randomUUID(), channel: 'webhook', target: endpoint.url, endpointId: endpoint.id, dedupKey: `${event.eventId}-webhook-${endpoint.id}`, messageId: event.eventId });
    }
    if (!rows.length) return 0;
    const stored = await this.repository.upsertDeliveries(rows);
    await this.enqueue(stored);
    for (const r of rows) planned().inc({ channel: r.channel });
    this.log.debug({ eventId: event.eventId, escalationId: event.escalationId, deliveries: rows.length }, 'deliveries planned');
    return rows.length;
  }

  /** Emails the tenant's recipients that one of its endpoints was disabled. */
  async notifyEndpointDisabled(endpoint: WebhookEndpointRow, details: { cause: 'gone' | 'failing'; disabledAt: Date; failingSince?: Date; lastError?: string }): Promise<void> {
    const channels = await this.repository.channelsOf(endpoint.tenantId);
    if (!channels.emailRecipients.length) {
      this.log.warn({ tenantId: endpoint.tenantId, endpointId: endpoint.id }, 'endpoint disabled; the tenant has no email recipient to tell');
      return;
    }
    const tenant = { id: endpoint.tenantId, name: (await this.repository.tenantName(endpoint.tenantId)) ?? endpoint.tenantId };
    const notice: EndpointDisabledNotice = {
      kind: 'endpoint.disabled',
      tenant,
      endpoint: { id: endpoint.id, url: endpoint.url },
      cause: details.cause,
      disabledAt: details.disabledAt.toISOString(),
      failingSince: details.failingSince?.toISOString(),
      lastError: details.lastError,
      link: dashboardLinks.escalations(this.config.dashboardUrl),
    };
    const stamp = details.disabledAt.getTime();
    const rows: NewDelivery[] = channels.emailRecipients.map((address) => {
      const key = recipientKey(address);
      return {
        id: randomUUID(),
        tenantId: endpoint.tenantId,
        eventType: 'endpoint.disabled',
        channel: 'email',
        target: address,
        dedupKey: `endpoint-disabled-${endpoint.id}-${stamp}-${key}`,
        messageId: `<endpoint-disabled.${endpoint.id}.${stamp}.${key}@agent-ledger>`,
        payload: notice,
      };
    });
    await this.enqueue(await this.repository.upsertDeliveries(rows));
  }

  /** Queues the jobs of unfinished deliveries; a job already in the queue is left alone. */
  async enqueue(refs: QueuedRef[]): Promise<void> {
    for (const r of refs) {
      if (r.status !== 'pending' && r.status !== 'retrying') continue;
      await this.queue.add(r.channel, r.jobId, { deliveryId: r.id, tenantId: r.tenantId });
      await this.repository.markEnqueued(r.id, r.jobId);
    }
  }

  escalationLink(escalationId: string): string {
    return dashboardLinks.escalation(this.config.dashboardUrl, escalationId);
  }
}
