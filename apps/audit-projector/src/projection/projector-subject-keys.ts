import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ActionEvent } from '@agent-ledger/contracts';
import { TransientError } from '@agent-ledger/kafka';
import { followErasures, SubjectKeyRaceError, SubjectKeyStore, type ResolvedSubjectKeys } from '@agent-ledger/persistence';
import { REDIS } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import type { ProjectionTransaction } from './projection.repository';

/** The projector's subject-key store; erasures announced over Redis evict its cached keys. */
@Injectable()
export class ProjectorSubjectKeys implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger(ProjectorSubjectKeys.name);
  readonly store: SubjectKeyStore;
  private erasures?: { close(): Promise<void> };

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PROJECTOR_SETTINGS) settings: ProjectorSettings,
  ) {
    this.store = new SubjectKeyStore(settings.cipher);
  }

  /**
   * The data key for each (tenant, key name) the events' PII needs, through the shared subject-key
   * store in this transaction (keys it loads are cached only by {@link remember}, after the commit).
   * An erased subject's new PII is encrypted under a throwaway key referencing the erased key id: it
   * is shredded on arrival, like the subject's older PII. A key wrapped by another master key comes
   * back unopenable (sealing throws PiiKeyError: the batch is retried until the right master key is
   * configured; PII is never stored unencrypted). A concurrent first use of a subject's key is
   * transient.
   */
  async resolve(tx: ProjectionTransaction, events: readonly ActionEvent[]): Promise<ResolvedSubjectKeys> {
    try {
      return await this.store.resolve(tx.rows, SubjectKeyStore.namesOf(events));
    } catch (err) {
      if (err instanceof SubjectKeyRaceError) throw new TransientError(`${err.message} (while the batch was written)`);
      throw err;
    }
  }

  /** Caches the keys a committed batch loaded. */
  remember(keys: ResolvedSubjectKeys['loaded']): void {
    this.store.remember(keys);
  }

  onModuleInit(): void {
    this.erasures = followErasures(this.redis, this.store, (err, msg) => this.log.warn({ err }, msg));
  }

  async onModuleDestroy(): Promise<void> {
    await this.erasures?.close();
  }
}
