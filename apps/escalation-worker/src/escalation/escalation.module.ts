import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { EscalationLoops } from './escalation.consumers';
import { EscalationProducer } from './escalation.producer';
import { EscalationService } from './escalation.service';
import { EscalationStore } from './escalation.store';
import { RuleSettingsRepository } from './rule-settings.repository';
import { WindowTriggers } from './window-triggers';
import { WindowStore } from './window.store';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

@Module({})
export class EscalationModule {
  static forRoot(settings: WorkerSettings): DynamicModule {
    return {
      module: EscalationModule,
      imports: [ConsumersModule],
      controllers: [EscalationLoops],
      providers: [{ provide: WORKER_SETTINGS, useValue: settings }, EscalationStore, WindowStore, WindowTriggers, RuleSettingsRepository, EscalationProducer, EscalationService],
    };
  }
}
