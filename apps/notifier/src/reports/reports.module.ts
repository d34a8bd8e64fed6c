import { Module } from '@nestjs/common';
import { StatsRepository, StatsService } from '@agent-ledger/ledger-stats';
import { DataSource, TenantDatabase } from '@agent-ledger/persistence';
import { DeliveryModule } from '../delivery/delivery.module';
import { ReportFactsRepository } from './report-facts.repository';
import { ReportRunsRepository } from './report-runs.repository';
import { ReportScheduler } from './report-scheduler.service';
import { ReportProcessor } from './report.processor';
import { ReportQueue } from './report.queue';
import { ReportService } from './report.service';

/**
 * Scheduled reports (docs/reports.md). The statistics are libs/ledger-stats', read through the
 * notifier's own role (its grants cover them), each in a transaction scoped to the tenant.
 */
@Module({
  imports: [DeliveryModule],
  providers: [
    { provide: TenantDatabase, inject: [DataSource], useFactory: (ds: DataSource) => new TenantDatabase(ds) },
    StatsRepository,
    StatsService,
    ReportFactsRepository,
    ReportRunsRepository,
    ReportQueue,
    ReportService,
    ReportProcessor,
    ReportScheduler,
  ],
})
export class ReportsModule {}
