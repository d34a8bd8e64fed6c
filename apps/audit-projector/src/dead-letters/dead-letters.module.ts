import { Module } from '@nestjs/common';
import { DeadLettersConsumer } from './dead-letters.consumer';
import { DeadLettersRepository } from './dead-letters.repository';

/** The dead-letter topics → dead_letters, for tenants and operators to see and replay. */
@Module({ providers: [DeadLettersRepository, DeadLettersConsumer] })
export class DeadLettersModule {}
