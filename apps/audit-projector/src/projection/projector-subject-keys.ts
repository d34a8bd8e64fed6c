import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { evictOnErasure, SubjectKeyStore } from '@agent-ledger/persistence';
import { REDIS } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';

/** The projector's subject-key store; erasures announced over Redis evict its cached keys. */
@Injectable()
export class ProjectorSubjectKeys implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger(ProjectorSubjectKeys.name);
  readonly store: SubjectKeyStore;
  private subscriber?: Redis;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(PROJECTOR_SETTINGS) settings: ProjectorSettings,
  ) {
    this.store = new SubjectKeyStore(settings.cipher);
  }

  onModuleInit(): void {
    const sub = this.redis.duplicate({ connectionName: 'subject-erasures' });
    this.subscriber = sub;
    sub.on('error', (err) => this.log.warn({ err }, 'erasure subscriber'));
    evictOnErasure(sub, this.store).catch((err) => this.log.warn({ err }, 'could not subscribe to erasures; cached subject keys expire within their TTL'));
  }

  async onModuleDestroy(): Promise<void> {
    await this.subscriber?.quit().catch(() => this.subscriber?.disconnect());
  }
}
