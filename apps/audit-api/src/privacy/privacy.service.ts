import { Inject, Injectable } from '@nestjs/common';
import { actorKeyName } from '@agent-ledger/integrity';
import { announceErasure } from '@agent-ledger/persistence';
import { REDIS } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import { PiiReader } from './pii-reader.service';
import { PrivacyRepository } from './privacy.repository';
import { SubjectKeysRepository, type SubjectKeyRow } from './subject-keys.repository';

export interface ErasureResult {
  subjectId: string;
  erasedAt: string;
  /** Keys shredded by this request (0 when the subject was already erased). */
  keysErased: number;
  /** Stored events naming the subject: their PII now reads as erased; the chains still verify. */
  eventsAffected: number;
}

const keyNamesOf = (subjectId: string) => [subjectId, actorKeyName(subjectId)];

@Injectable()
export class PrivacyService {
  private readonly log = createLogger(PrivacyService.name);

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    private readonly keys: SubjectKeysRepository,
    private readonly events: PrivacyRepository,
    private readonly pii: PiiReader,
    private readonly changes: ChangeRecorder,
  ) {}

  /**
   * Crypto-shreds the subject: deletes the wrapped keys of its PII (`subject.pii`) and of its IP as
   * an actor (`actor.ip`). A subject with no key yet gets an erased one, so PII arriving later is
   * unreadable from the start. Then announces the erasure over Redis: ingest and the projector
   * evict the subject's cached keys at once (else within their cache TTL). Idempotent.
   */
  async erase(tenantId: string, subjectId: string, ctx: ChangeContext): Promise<ErasureResult> {
    const result = await this.keys.transaction(tenantId, async (manager) => {
      const before = await this.keys.findBySubjects(tenantId, keyNamesOf(subjectId), manager, true);
      const erased = await this.keys.erase(manager, tenantId, keyNamesOf(subjectId));
      if (!before.some((k) => k.subjectId === subjectId)) await this.keys.tombstone(manager, tenantId, subjectId);
      // When the subject was (first) erased, as the database recorded it.
      const after = await this.keys.findBySubjects(tenantId, keyNamesOf(subjectId), manager);
      const erasedAt = new Date(after.find((k) => k.subjectId === subjectId)!.erasedAt!).toISOString();
      if (erased > 0 || !before.length) {
        await this.changes.record(manager, ctx, {
          tenantId,
          resource: { type: 'data_subject', id: subjectId },
          action: 'subject.erased',
          before: { keys: before.map(describe) },
          after: { keys: after.map(describe), erasedAt },
        });
      }
      return { erased, erasedAt };
    });
    this.changes.flushSoon();
    await announceErasure(this.redis, { tenantId, subjectIds: keyNamesOf(subjectId) }).catch((err) =>
      this.log.warn({ err, tenantId }, 'could not announce an erasure; cached subject keys expire within their TTL'),
    );
    return { subjectId, erasedAt: result.erasedAt, keysErased: result.erased, eventsAffected: await this.events.countEventsOf(tenantId, subjectId) };
  }

  /** Key status of the subject, then every stored event naming it, PII opened where a key remains (with `pii`; else redacted). */
  async *exportSubject(tenantId: string, subjectId: string, pii: boolean): AsyncGenerator<{ keys: ReturnType<typeof describe>[] } | Record<string, unknown>[]> {
    yield { keys: (await this.keys.findBySubjects(tenantId, keyNamesOf(subjectId))).map(describe) };
    for await (const page of this.events.eventsOf(tenantId, subjectId)) {
      yield await this.pii.reveal(tenantId, page.map((r) => JSON.parse(r.eventJson) as Record<string, unknown>), pii);
    }
  }
}

function describe(k: SubjectKeyRow) {
  return {
    keyId: k.keyId,
    for: k.subjectId.startsWith('actor:') ? 'actor.ip' : 'subject.pii',
    createdAt: new Date(k.createdAt).toISOString(),
    erasedAt: k.erasedAt ? new Date(k.erasedAt).toISOString() : null,
  };
}
