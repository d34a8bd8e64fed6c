import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { followErasures, SubjectKeyStore } from '@agent-ledger/persistence';
import { REDIS } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';

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

  onModuleInit(): void {
    this.erasures = followErasures(this.redis, this.store, (err, msg) => this.log.warn({ err }, msg));
  }

  async onModuleDestroy(): Promise<void> {
    await this.erasures?.close();
  }
}
