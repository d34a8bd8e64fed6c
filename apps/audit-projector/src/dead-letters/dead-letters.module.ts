import { Module } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { DeadLettersConsumer } from './dead-letters.consumer';
import { DeadLettersRepository } from './dead-letters.repository';

/** The dead-letter topics → dead_letters, for tenants and operators to see and replay. */
@Module({ imports: [ConsumersModule], controllers: [DeadLettersConsumer], providers: [DeadLettersRepository] })
export class DeadLettersModule {}
