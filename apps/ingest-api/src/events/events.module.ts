import { Module, type DynamicModule } from '@nestjs/common';
import { ActionEventsProducer } from './action-events.producer';
import { EventsController } from './events.controller';
import { IngestService } from './ingest.service';
import { PiiSealer } from './pii-sealer';
import { INGEST_SETTINGS, type IngestSettings } from './ingest.settings';
import { TenantRedactionRepository } from './tenant-redaction.repository';
import { OtlpTracesController } from '../otlp/otlp-traces.controller';
import { OtlpTracesService } from '../otlp/otlp-traces.service';

@Module({})
export class EventsModule {
  static forRoot(settings: IngestSettings): DynamicModule {
    return {
      module: EventsModule,
      // POST /v1/traces (OTLP, docs/otlp.md) publishes through the same IngestService.
      controllers: [EventsController, OtlpTracesController],
      providers: [{ provide: INGEST_SETTINGS, useValue: settings }, ActionEventsProducer, IngestService, PiiSealer, TenantRedactionRepository, OtlpTracesService],
    };
  }
}
