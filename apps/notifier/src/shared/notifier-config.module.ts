import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { NotifierConfig } from '../config/notifier.config';
import { NOTIFIER_CONFIG } from './notifier-config.token';

/** Makes the parsed configuration injectable everywhere (NOTIFIER_CONFIG). */
@Global()
@Module({})
export class NotifierConfigModule {
  static forRoot(config: NotifierConfig): DynamicModule {
    return { module: NotifierConfigModule, providers: [{ provide: NOTIFIER_CONFIG, useValue: config }], exports: [NOTIFIER_CONFIG] };
  }
}
