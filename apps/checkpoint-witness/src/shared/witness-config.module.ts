import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { WitnessConfig } from '../config/witness.config';
import { WITNESS_CONFIG } from './witness-config.token';

/** Makes the parsed configuration injectable everywhere (WITNESS_CONFIG). */
@Global()
@Module({})
export class WitnessConfigModule {
  static forRoot(config: WitnessConfig): DynamicModule {
    return { module: WitnessConfigModule, providers: [{ provide: WITNESS_CONFIG, useValue: config }], exports: [WITNESS_CONFIG] };
  }
}
