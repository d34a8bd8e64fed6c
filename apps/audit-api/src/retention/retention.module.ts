import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditApiConfig } from '../config/audit-api.config';
import { RetentionController } from './retention.controller';
import { RetentionHorizon } from './retention-horizon.service';
import { RetentionRunsQueue } from './retention-runs.queue';
import { RetentionRunsService } from './retention-runs.service';
import { RetentionRepository } from './retention.repository';
import { RetentionService } from './retention.service';
import { RETENTION_SETTINGS, type RetentionSettings } from './retention.settings';

/**
 * Retention per tenant: GET/PUT /v1/retention, on-demand runs queued for the retention worker, and
 * the retention horizon the query endpoints check `from` against (exported to every module).
 */
@Module({})
export class RetentionModule {
  static forRoot(config: AuditApiConfig): DynamicModule {
    const settings: RetentionSettings = { redisUrl: config.REDIS_URL, queuePrefix: config.RETENTION_QUEUE_PREFIX, queueTimeoutMs: 2_000 };
    return {
      module: RetentionModule,
      global: true,
      controllers: [RetentionController],
      providers: [{ provide: RETENTION_SETTINGS, useValue: settings }, RetentionRepository, RetentionService, RetentionRunsQueue, RetentionRunsService, RetentionHorizon],
      exports: [RetentionHorizon],
    };
  }
}
