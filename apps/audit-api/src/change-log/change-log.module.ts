import { Global, Module } from '@nestjs/common';
import { ChangeOutboxRepository } from './change-outbox.repository';
import { ChangeRecorder } from './change-recorder.service';
import { ChangeRelay } from './change-relay.service';

/** `change.recorded` events for every administrative change (any feature module may record). */
@Global()
@Module({
  providers: [ChangeOutboxRepository, ChangeRelay, ChangeRecorder],
  exports: [ChangeRecorder],
})
export class ChangeLogModule {}
