import { Module } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { StoreModule } from '../store/store.module';
import { WitnessWebhook } from '../webhook/witness-webhook.service';
import { CheckpointsConsumer } from './checkpoints.consumer';

/** The checkpoints topic's consumer and the optional webhook it feeds. */
@Module({ imports: [StoreModule, ConsumersModule], controllers: [CheckpointsConsumer], providers: [WitnessWebhook] })
export class CheckpointsConsumerModule {}
