import { Module } from '@nestjs/common';
import type { WitnessConfig } from '../config/witness.config';
import { WITNESS_CONFIG } from '../shared/witness-config.token';
import { CheckpointStore } from './checkpoint-store';

/** The append-only checkpoint store in WITNESS_DIR. */
@Module({
  providers: [{ provide: CheckpointStore, inject: [WITNESS_CONFIG], useFactory: (config: WitnessConfig) => new CheckpointStore(config.witnessDir) }],
  exports: [CheckpointStore],
})
export class StoreModule {}
