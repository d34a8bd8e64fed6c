import { Global, Inject, Injectable, Module, type DynamicModule, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DlqPublisher, LedgerProducer, type Kafka } from '@agent-ledger/kafka';
import { KAFKA } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from './projector-settings';

/** Reports ephemeral keys at boot and closes the producer last, after consumers and checkpoints. */
@Injectable()
class SharedLifecycle implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = createLogger('AuditProjector');

  constructor(
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
    private readonly producer: LedgerProducer,
  ) {}

  onApplicationBootstrap(): void {
    const s = this.settings;
    if (s.ephemeralKeys.length) {
      this.log.warn(
        { keys: s.ephemeralKeys },
        'keys not configured: using random keys for this process only (PII written now becomes unreadable after a restart; checkpoints cannot be verified with a published key). Set them; NODE_ENV=production requires them.',
      );
    }
    this.log.info({ groupId: s.groupId, masterKeyId: s.cipher.masterKeyId, signingKeyId: s.signingKey.keyId }, 'projector keys loaded');
  }

  async onApplicationShutdown(): Promise<void> {
    await this.producer.disconnect();
  }
}

/** Settings and the Kafka producer (DLQ, checkpoints) shared by the projector's feature modules. */
@Global()
@Module({})
export class ProjectorSharedModule {
  static forRoot(settings: ProjectorSettings): DynamicModule {
    return {
      module: ProjectorSharedModule,
      providers: [
        { provide: PROJECTOR_SETTINGS, useValue: settings },
        { provide: LedgerProducer, inject: [KAFKA], useFactory: (kafka: Kafka) => new LedgerProducer(kafka) },
        { provide: DlqPublisher, inject: [LedgerProducer], useFactory: (producer: LedgerProducer) => new DlqPublisher(producer) },
        SharedLifecycle,
      ],
      exports: [PROJECTOR_SETTINGS, LedgerProducer, DlqPublisher],
    };
  }
}
