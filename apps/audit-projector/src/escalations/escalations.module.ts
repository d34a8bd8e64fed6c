import { Module } from '@nestjs/common';
import { EscalationsConsumer } from './escalations.consumer';
import { EscalationsRepository } from './escalations.repository';

@Module({ providers: [EscalationsRepository, EscalationsConsumer] })
export class EscalationsModule {}
