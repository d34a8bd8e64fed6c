import { Module } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { EscalationsConsumer } from './escalations.consumer';
import { EscalationsRepository } from './escalations.repository';

@Module({ imports: [ConsumersModule], controllers: [EscalationsConsumer], providers: [EscalationsRepository] })
export class EscalationsModule {}
