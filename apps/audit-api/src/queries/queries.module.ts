import { Module } from '@nestjs/common';
import { EscalationsModule } from '../escalations/escalations.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { ExportController } from './export.controller';
import { LiveStreamController, LiveStreams } from './live-stream.controller';
import { RecordsController } from './records.controller';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { StatsRepository } from './stats.repository';

@Module({
  imports: [PrivacyModule, EscalationsModule],
  controllers: [RecordsController, ExportController, LiveStreamController],
  providers: [RecordsService, RecordsRepository, StatsRepository, LiveStreams],
  exports: [RecordsService],
})
export class QueriesModule {}
