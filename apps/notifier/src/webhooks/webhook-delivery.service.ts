import { Inject, Injectable } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { DeliveriesRepository, type AttemptOutcome, type DeliveryRow, type WebhookEndpointRow } from '../delivery/deliveries.repository';
import { hasAttemptLeft, observeAttempt, type AttemptRequest, type DeliveryOutcome } from '../delivery/delivery-outcome';
import type { DeliveryPayload } from '../delivery/notification-payload';
import { NotificationPlanner } from '../delivery/notification-planner.service';
import { nextWebhookDelay, parseRetryAfter } from '../delivery/retry-schedule';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { WebhookAddressGuard } from '@agent-ledger/outbound';
import { postWebhook, WebhookRequestError, type WebhookResponse } from './webhook-http.client';
import { webhookBody } from './webhook-payload';
import { WebhookSecretStore } from './webhook-secret.store';
import { signWebhook } from './webhook-signer';

/** How one answer (or its absence) is judged. */
interface Verdict {
  outcome: 'delivered' | 'failed-retryable' | 'failed-permanent';
  statusCode?: number;
  error?: string;
  retryAfterMs?: number;
  /** 410 Gone: the receiver asks never to be called again. */
  gone?: boolean;
}

/** Standard Webhooks / Svix semantics of an HTTP answer. */
export function judgeResponse(res: WebhookResponse, now: number = Date.now()): Verdict {
  const status = res.status;
  if (status >= 200 && status < 300) return { outcome: 'delivered', statusCode: status };
  const snippet = res.bodySnippet.trim().slice(0, 200);
  const error = `HTTP ${status}${status >= 300 && status < 400 ? ` (redirect to ${String(res.headers.location ?? '?')} not followed)` : ''}${snippet ? `: ${snippet}` : ''}`;
  if (status === 410) return { outcome: 'failed-permanent', statusCode: status, error, gone: true };
  // Svix: a receiver stops retries of one message with this header.
  if (String(res.headers['webhook-delivery'] ?? '').toLowerCase() === 'abort-message') return { outcome: 'failed-permanent', statusCode: status, error: `${error} (retries aborted by the receiver)` };
  return { outcome: 'failed-retryable', statusCode: status, error, retryAfterMs: parseRetryAfter(res.headers['retry-after'], now) };
}

/**
 * One webhook attempt: signs the stored notice for the endpoint (current and, during a rotation,
 * previous secret), posts it through the address guard, records the attempt, and keeps the
 * endpoint's health: a success clears its failure streak; 410, or failing without a success for
 * NOTIFIER_ENDPOINT_DISABLE_AFTER, disables it and tells the tenant's email recipients.
 */
@Injectable()
export class WebhookDeliveryService {
  private readonly log = createLogger(WebhookDeliveryService.name);
  private readonly guard: WebhookAddressGuard;

  constructor(
    private readonly repository: DeliveriesRepository,
    private readonly secrets: WebhookSecretStore,
    private readonly planner: NotificationPlanner,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {
    this.guard = new WebhookAddressGuard({ allowlist: config.LEDGER_WEBHOOK_ALLOWLIST, requireHttps: config.requireHttps });
  }

  async attempt(req: AttemptRequest): Promise<DeliveryOutcome> {
    const delivery = await this.repository.findDelivery<DeliveryPayload>(req.deliveryId);
    if (!delivery) return { kind: 'skipped', reason: 'no such delivery' };
    if (delivery.jobId !== req.jobId) return { kind: 'skipped', reason: `superseded by job ${delivery.jobId}` };
    if (delivery.status === 'delivered' || delivery.status === 'failed') return { kind: 'skipped', reason: `already ${delivery.status}` };
    if (delivery.payload.kind !== 'escalation' && delivery.payload.kind !== 'event') return this.finish(delivery, req, new Date(), 0, { outcome: 'failed-permanent', error: `webhooks do not carry ${delivery.payload.kind} notices` });

    const endpoint = delivery.endpointId ? await this.repository.findEndpoint(delivery.endpointId) : undefined;
    const startedAt = new Date();
    if (!endpoint) return this.finish(delivery, req, startedAt, 0, { outcome: 'failed-permanent', error: 'the endpoint was removed' });
    if (!endpoint.enabled) return this.finish(delivery, req, startedAt, 0, { outcome: 'failed-permanent', error: 'the endpoint is disabled' });

    let secrets: Buffer[];
    try {
      secrets = this.secrets.signingSecrets(endpoint, startedAt);
    } catch (err) {
      return this.finish(delivery, req, startedAt, 0, { outcome: 'failed-permanent', error: `cannot sign: ${(err as Error).message}` });
    }
    const body = webhookBody(endpoint.format, delivery.payload);
    const headers = signWebhook(delivery.messageId, body, secrets, startedAt);
    let verdict: Verdict;
    try {
      verdict = judgeResponse(await postWebhook(endpoint.url, body, { ...headers }, { guard: this.guard, timeoutMs: this.config.NOTIFIER_WEBHOOK_TIMEOUT_MS }));
    } catch (err) {
      const forbidden = err instanceof WebhookRequestError && err.forbidden;
      verdict = { outcome: forbidden ? 'failed-permanent' : 'failed-retryable', error: forbidden ? `refused: ${(err as Error).message}` : (err as Error).message };
    }
    const outcome = await this.finish(delivery, req, startedAt, Date.now() - startedAt.getTime(), verdict);
    await this.trackEndpointHealth(endpoint, startedAt, verdict);
    return outcome;
  }

  /** Records the attempt and decides between delivered, another attempt (when), and failed. */
  private async finish(delivery: DeliveryRow<DeliveryPayload>, req: AttemptRequest, startedAt: Date, durationMs: number, verdict: Verdict): Promise<DeliveryOutcome> {
    let outcome: DeliveryOutcome;
    if (verdict.outcome === 'delivered') outcome = { kind: 'delivered' };
    else {
      const delayMs =
        verdict.outcome === 'failed-retryable' && hasAttemptLeft(req)
          ? nextWebhookDelay(req.attemptsMade + 1, {
              schedule: this.config.NOTIFIER_WEBHOOK_RETRY_SCHEDULE,
              jitter: this.config.NOTIFIER_RETRY_JITTER,
              retryAfterMs: verdict.retryAfterMs,
              retryAfterMaxMs: this.config.NOTIFIER_RETRY_AFTER_MAX,
            })
          : undefined;
      const error = verdict.error ?? 'failed';
      outcome = delayMs === undefined ? { kind: 'failed', error } : { kind: 'retry', delayMs, error };
    }
    const recorded: AttemptOutcome = outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'retry' ? 'retry' : 'failed';
    await this.repository.recordAttempt(delivery.id, {
      jobId: req.jobId,
      startedAt,
      durationMs,
      statusCode: verdict.statusCode,
      outcome: recorded,
      error: verdict.error,
      nextAttemptAt: outcome.kind === 'retry' ? new Date(Date.now() + outcome.delayMs) : undefined,
    });
    observeAttempt('webhook', outcome.kind, durationMs);
    const fields = { deliveryId: delivery.id, tenantId: delivery.tenantId, endpointId: delivery.endpointId, statusCode: verdict.statusCode, attempt: req.attemptsMade + 1 };
    if (outcome.kind === 'delivered') this.log.debug(fields, 'webhook delivered');
    else if (outcome.kind === 'retry') this.log.info({ ...fields, error: outcome.error, retryInMs: outcome.delayMs }, 'webhook attempt failed; retrying');
    else this.log.warn({ ...fields, error: outcome.error }, 'webhook delivery failed');
    return outcome;
  }

  private async trackEndpointHealth(endpoint: WebhookEndpointRow, at: Date, verdict: Verdict): Promise<void> {
    if (verdict.outcome === 'delivered') return this.repository.endpointSucceeded(endpoint.id);
    const failingSince = await this.repository.endpointFailed(endpoint.id, at);
    let cause: 'gone' | 'failing' | undefined;
    if (verdict.gone) cause = 'gone';
    else if (failingSince && Date.now() - failingSince.getTime() >= this.config.NOTIFIER_ENDPOINT_DISABLE_AFTER) cause = 'failing';
    if (!cause) return;
    const disabled = await this.repository.disableEndpoint(endpoint.id, cause === 'gone' ? 'gone: the endpoint answered 410' : `failing since ${failingSince?.toISOString()}`);
    if (!disabled) return;
    this.log.warn({ tenantId: endpoint.tenantId, endpointId: endpoint.id, cause, failingSince }, 'webhook endpoint disabled');
    await this.planner.notifyEndpointDisabled(endpoint, { cause, disabledAt: disabled.disabledAt, failingSince, lastError: verdict.error });
  }
}
