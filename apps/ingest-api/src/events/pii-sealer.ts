import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { ActionEvent } from '@agent-ledger/contracts';
import { encryptEventPii, MasterKeyring, PiiCipher } from '@agent-ledger/integrity';
import { DataSource, followErasures, SubjectKeyStore } from '@agent-ledger/persistence';
import { ApiError, REDIS } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { ingestMetrics } from './ingest.metrics';
import { INGEST_SETTINGS, type IngestSettings } from './ingest.settings';

/** Retry-After of a 503 pii_key_unavailable: long enough for a database restart or failover. */
const RETRY_AFTER_SECONDS = 2;

/**
 * Encrypts `subject.pii` and `actor.ip` before an event is published (docs/privacy.md), with the
 * subject's data key from `subject_keys` (created on first use, cached with bounds, evicted when
 * audit-api announces an erasure). Whatever the producer sent in those fields is encrypted, an
 * envelope-shaped value included: a client cannot bypass encryption or plant a ciphertext under a
 * subject's key. Events without PII need no key and no database. A key that cannot be had (database
 * unreachable, slower than INGEST_PII_KEY_TIMEOUT_MS) answers 503 `pii_key_unavailable`: PII is
 * never published in clear and never answered 202 then lost.
 */
@Injectable()
export class PiiSealer implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger(PiiSealer.name);
  private readonly store?: SubjectKeyStore;
  private erasures?: { close(): Promise<void> };

  constructor(
    private readonly dataSource: DataSource,
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(INGEST_SETTINGS) private readonly settings: IngestSettings,
  ) {
    const { masterKey, previousMasterKeys } = settings.pii;
    if (masterKey) this.store = new SubjectKeyStore(new PiiCipher(new MasterKeyring(masterKey, previousMasterKeys)), { ttlMs: settings.pii.keyCacheTtlMs });
  }

  onModuleInit(): void {
    if (!this.store) {
      this.log.warn('LEDGER_MASTER_KEY is not set: subject.pii and actor.ip cross Kafka in clear until the projector encrypts them (refused in production)');
      return;
    }
    this.erasures = followErasures(this.redis, this.store, (err, msg) => this.log.warn({ err }, msg));
  }

  async onModuleDestroy(): Promise<void> {
    await this.erasures?.close();
  }

  /** The events as they are published: PII fields replaced by envelopes; events without PII as they are. */
  async seal(events: ActionEvent[]): Promise<ActionEvent[]> {
    const store = this.store;
    if (!store) return events;
    const needed = SubjectKeyStore.namesOf(events);
    if (!needed.length) return events;
    let keys: Awaited<ReturnType<SubjectKeyStore['resolve']>>;
    try {
      keys = await this.withTimeout(store.resolve((sql, params) => this.dataSource.query(sql, params), needed));
      // A key wrapped under a master key this process does not hold: misconfigured, never clear text.
      SubjectKeyStore.requireAll(keys);
    } catch (err) {
      ingestMetrics.rejected().inc({ reason: 'pii_key_unavailable' }, events.length);
      this.log.warn({ err, subjects: needed.length }, 'subject keys unavailable; answering 503');
      throw ApiError.unavailable('pii_key_unavailable', 'the keys that encrypt personal data cannot be read right now; retry later with the same eventIds', RETRY_AFTER_SECONDS);
    }
    // Autocommit: the new keys are stored, so they may be remembered at once.
    store.remember(keys.loaded);
    return events.map((e) => (e.subject?.pii !== undefined || e.actor?.ip !== undefined ? (encryptEventPii(e, SubjectKeyStore.keysFor(e, keys.keys)) as unknown as ActionEvent) : e));
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    const ms = this.settings.pii.keyTimeoutMs;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`subject keys not read within ${ms} ms`)), ms);
    });
    return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
  }
}
