import { Module, type DynamicModule } from '@nestjs/common';
import { StatsRepository, StatsService } from '@agent-ledger/ledger-stats';
import { EscalationsModule } from '../escalations/escalations.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { ExportController } from './export.controller';
import { LiveStreamController } from './live-stream.controller';
import { LiveStreams, STREAM_OPTIONS, type StreamOptions } from './live-streams';
import { RecordsController } from './records.controller';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { StatsController } from './stats.controller';

@Module({
  imports: [PrivacyModule, EscalationsModule],
  controllers: [RecordsController, StatsController, ExportController, LiveStreamController],
  providers: [RecordsService, RecordsRepository, StatsRepository, StatsService, LiveStreams],
  exports: [RecordsService, StatsService],
})
export class QueriesModule {
  static forRoot(streams: StreamOptions): DynamicModule {
    return { module: QueriesModule, providers: [{ provide: STREAM_OPTIONS, useValue: streams }] };
  }
}
