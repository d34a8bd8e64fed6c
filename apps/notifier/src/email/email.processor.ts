import { Inject, Injectable } from '@nestjs/common';
import { ReadinessService } from '@agent-ledger/runtime';
import type { NotifierConfig } from '../config/notifier.config';
import { DeliveriesRepository } from '../delivery/deliveries.repository';
import type { AttemptRequest, DeliveryOutcome } from '../delivery/delivery-outcome';
import { DeliveryProcessor } from '../delivery/delivery.processor';
import { RedisPolicyCheck } from '../queue/redis-policy.check';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { EmailDeliveryService } from './email-delivery.service';

/** Worker of the email queue (one job per recipient of an escalation event). */
@Injectable()
export class EmailProcessor extends DeliveryProcessor {
  protected readonly channel = 'email' as const;
  protected readonly concurrency: number;

  constructor(
    @Inject(NOTIFIER_CONFIG) config: NotifierConfig,
    policy: RedisPolicyCheck,
    readiness: ReadinessService,
    repository: DeliveriesRepository,
    private readonly emails: EmailDeliveryService,
  ) {
    super(config, policy, readiness, repository);
    this.concurrency = config.NOTIFIER_EMAIL_CONCURRENCY;
  }

  protected attempt(req: AttemptRequest): Promise<DeliveryOutcome> {
    return this.emails.attempt(req);
  }
}
