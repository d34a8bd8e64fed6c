import { Module } from '@nestjs/common';
import { DeliveryModule } from '../delivery/delivery.module';
import { EscalationsConsumer } from './escalations.consumer';

/** The escalations topic's consumer. */
@Module({ imports: [DeliveryModule], providers: [EscalationsConsumer] })
export class EscalationsModule {}
