import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { actionEventsCodec } from '@agent-ledger/contracts';
import { retentionPurgedEvent, type RetentionPurgedDetails } from '@agent-ledger/integrity';
import { LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '@agent-ledger/runtime';
import type { RetentionConfig } from '../config/retention.config';
import { RETENTION_CONFIG } from '../config/retention-config.token';
import { PurgeRepository } from './purge.repository';

/**
 * Appends a purge's `retention.purged` record to the tenant's ledger: published to the action events
 * topic like any event (its id fixed by the purge, so a resumed purge publishes it again and it is
 * stored once), then awaited until the projector stored it — before any row is deleted.
 */
@Injectable()
export class PurgeRecordPublisher implements OnApplicationShutdown {
  private readonly producer: LedgerProducer;

  constructor(
    @Inject(KAFKA) kafka: Kafka,
    private readonly repository: PurgeRepository,
    @Inject(RETENTION_CONFIG) private readonly config: RetentionConfig,
  ) {
    this.producer = new LedgerProducer(kafka);
  }

  async record(tenantId: string, eventId: string, details: RetentionPurgedDetails, signal?: AbortSignal): Promise<void> {
    if (await this.repository.isStored(tenantId, eventId)) return;
    await this.producer.send(actionEventsCodec.topic, [actionEventsCodec.encode(retentionPurgedEvent(tenantId, eventId, details))]);
    const deadline = Date.now() + this.config.RETENTION_RECORD_TIMEOUT_MS;
    while (!(await this.repository.isStored(tenantId, eventId))) {
      if (Date.now() > deadline) {
        throw new Error(`the retention.purged record ${eventId} of tenant ${tenantId} was not stored within ${this.config.RETENTION_RECORD_TIMEOUT_MS} ms (is audit-projector running?); nothing was deleted, the next run resumes`);
      }
      signal?.throwIfAborted();
      await sleep(250);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}
