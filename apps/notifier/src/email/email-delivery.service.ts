import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import type { NotifierConfig } from '../config/notifier.config';
import { DeliveriesRepository } from '../delivery/deliveries.repository';
import { hasAttemptLeft, observeAttempt, type AttemptRequest, type DeliveryOutcome } from '../delivery/delivery-outcome';
import { nextEmailDelay } from '../delivery/retry-schedule';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { renderEmail } from './email-renderer';
import { classifySmtpFailure, MAIL_TRANSPORT, type MailTransport } from './mail-transport';

/** One email attempt: renders the stored notice, sends it to one recipient, records the attempt. */
@Injectable()
export class EmailDeliveryService implements OnApplicationShutdown {
  private readonly log = createLogger(EmailDeliveryService.name);

  constructor(
    private readonly repository: DeliveriesRepository,
    @Inject(MAIL_TRANSPORT) private readonly transport: MailTransport,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
  ) {}

  async attempt(req: AttemptRequest): Promise<DeliveryOutcome> {
    const delivery = await this.repository.findDelivery(req.deliveryId);
    if (!delivery) return { kind: 'skipped', reason: 'no such delivery' };
    if (delivery.jobId !== req.jobId) return { kind: 'skipped', reason: `superseded by job ${delivery.jobId}` };
    if (delivery.status === 'delivered' || delivery.status === 'failed') return { kind: 'skipped', reason: `already ${delivery.status}` };

    const rendered = renderEmail(delivery.payload);
    const startedAt = new Date();
    let outcome: DeliveryOutcome;
    let statusCode: number | undefined;
    let error: string | undefined;
    try {
      const sent = await this.transport.send({
        from: this.config.SMTP_FROM,
        to: delivery.target,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        attachments: rendered.attachments,
        messageId: delivery.messageId,
        headers: {
          'X-Agent-Ledger-Delivery': delivery.id,
          ...(delivery.payload.kind === 'escalation' ? { 'X-Agent-Ledger-Escalation': delivery.payload.event.escalationId } : {}),
        },
      });
      statusCode = Number(/^(\d{3})/.exec(sent.response)?.[1]) || undefined;
      outcome = { kind: 'delivered' };
    } catch (err) {
      const failure = classifySmtpFailure(err);
      statusCode = failure.responseCode;
      error = failure.message;
      outcome =
        !failure.permanent && hasAttemptLeft(req)
          ? { kind: 'retry', delayMs: nextEmailDelay(req.attemptsMade + 1, { baseMs: this.config.NOTIFIER_EMAIL_BACKOFF, jitter: this.config.NOTIFIER_RETRY_JITTER }), error }
          : { kind: 'failed', error };
    }
    const durationMs = Date.now() - startedAt.getTime();
    await this.repository.recordAttempt(delivery.id, {
      jobId: req.jobId,
      startedAt,
      durationMs,
      statusCode,
      outcome: outcome.kind === 'delivered' ? 'delivered' : outcome.kind === 'retry' ? 'retry' : 'failed',
      error,
      nextAttemptAt: outcome.kind === 'retry' ? new Date(Date.now() + outcome.delayMs) : undefined,
    });
    observeAttempt('email', outcome.kind, durationMs);
    const fields = { deliveryId: delivery.id, tenantId: delivery.tenantId, statusCode, attempt: req.attemptsMade + 1 };
    if (outcome.kind === 'retry') this.log.info({ ...fields, error, retryInMs: outcome.delayMs }, 'email attempt failed; retrying');
    else if (outcome.kind === 'failed') this.log.warn({ ...fields, error }, 'email delivery failed');
    return outcome;
  }

  onApplicationShutdown(): void {
    this.transport.close();
  }
}
