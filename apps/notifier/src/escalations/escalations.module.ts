import { Module } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { DeliveryModule } from '../delivery/delivery.module';
import { EscalationsConsumer } from './escalations.consumer';

/** The escalations topic's consumer. */
@Module({ imports: [DeliveryModule, ConsumersModule], controllers: [EscalationsConsumer] })
export class EscalationsModule {}
