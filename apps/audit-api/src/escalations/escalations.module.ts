import { Module } from '@nestjs/common';
import { EscalationsController } from './escalations.controller';
import { EscalationsProducer } from './escalations.producer';
import { EscalationsRepository } from './escalations.repository';
import { EscalationsService } from './escalations.service';

@Module({
  controllers: [EscalationsController],
  providers: [EscalationsService, EscalationsRepository, EscalationsProducer],
  exports: [EscalationsRepository],
})
export class EscalationsModule {}
