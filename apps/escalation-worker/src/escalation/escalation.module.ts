import { Module, type DynamicModule } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { ActionAnomalySource } from './action-anomaly.source';
import { EscalationLoops } from './escalation.consumers';
import { EscalationProducer } from './escalation.producer';
import { EscalationService } from './escalation.service';
import { EscalationStore } from './escalation.store';
import { FINDING_SOURCES, type FindingSource } from './finding-source';
import { FindingsPoller } from './findings.poller';
import { ProducerGapSource } from './producer-gap.source';
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
      providers: [{ provide: WORKER_SETTINGS, useValue: settings }, EscalationStore, WindowStore, WindowTriggers, RuleSettingsRepository, EscalationProducer, EscalationService, ActionAnomalySource, ProducerGapSource,
        // Each source is a provider listed in `inject`: anomalies (action-anomaly.source.ts), sequence gaps (producer-gap.source.ts).
        { provide: FINDING_SOURCES, useFactory: (...sources: FindingSource[]) => sources, inject: [ActionAnomalySource, ProducerGapSource] },
        FindingsPoller,
      ],
    };
  }
}
