import { Module } from '@nestjs/common';
import { DeadLettersController, OperatorDeadLettersController } from './dead-letters.controller';
import { DeadLettersProducer } from './dead-letters.producer';
import { DeadLettersRepository } from './dead-letters.repository';
import { DeadLettersService } from './dead-letters.service';

/** Dead letters: listed for tenants and the operator, counted in /v1/stats, replayed after a fix. */
@Module({
  controllers: [DeadLettersController, OperatorDeadLettersController],
  providers: [DeadLettersService, DeadLettersRepository, DeadLettersProducer],
  exports: [DeadLettersService],
})
export class DeadLettersModule {}
