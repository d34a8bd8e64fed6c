import { Module, type DynamicModule } from '@nestjs/common';
import type { AuditApiConfig } from '../config/audit-api.config';
import { CheckpointWitnessClient } from './checkpoint-witness.client';
import { IntegrityExportService } from './integrity-export.service';
import { IntegrityController } from './integrity.controller';
import { IntegrityRepository } from './integrity.repository';
import { IntegrityService } from './integrity.service';
import { INTEGRITY_SETTINGS, integritySettings } from './integrity.settings';
import { LossController } from './loss.controller';
import { LossMetrics } from './loss.metrics';
import { LossRepository } from './loss.repository';

/** Verification of the tenant's hash chains, the exports offline verification reads, and loss accounting. */
@Module({})
export class IntegrityModule {
  static forRoot(config: AuditApiConfig): DynamicModule {
    return {
      module: IntegrityModule,
      controllers: [IntegrityController, LossController],
      providers: [{ provide: INTEGRITY_SETTINGS, useValue: integritySettings(config) }, IntegrityService, IntegrityExportService, IntegrityRepository, CheckpointWitnessClient, LossRepository, LossMetrics],
    };
  }
}
