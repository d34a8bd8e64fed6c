import { Injectable } from '@nestjs/common';
import { DLQ_TOPIC_OF } from '@agent-ledger/contracts';
import { ApiError } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import { decodeLetterCursor, encodeLetterCursor, type DeadLetterFilter, type ReplayRequest } from './dead-letters.dto';
import { DeadLettersProducer } from './dead-letters.producer';
import { DeadLettersRepository, type DeadLetterRecord, type LetterScope } from './dead-letters.repository';

const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);

/** A dead letter as the API shows it: where it came from and why, never its payload. */
export function toDeadLetter(r: DeadLetterRecord) {
  return {
    id: r.id,
    consumerGroup: r.consumer_group,
    sourceTopic: r.source_topic,
    sourcePartition: r.source_partition,
    sourceOffset: r.source_offset,
    eventId: r.event_id,
    eventType: r.event_type,
    errorClass: r.error_class,
    reasonCode: r.reason_code,
    reason: r.reason,
    valueBytes: r.value_bytes,
    replayable: !r.value_omitted,
    deadLetteredAt: iso(r.dead_lettered_at),
    replayedAt: iso(r.replayed_at),
    replayCount: r.replay_count,
  };
}

export interface ReplayOutcome {
  replayed: number;
  skipped: { id: string; reason: 'not_found' | 'value_omitted' | 'unknown_source_topic' }[];
  /** Letters still waiting for a replay (that can be replayed) after this one. */
  remaining: number;
}

const readerOf = (scope: LetterScope) => (scope === 'operator' ? 'operator' : scope.tenantId);

/**
 * Dead letters of a tenant (or, for the operator, letters that name no known tenant): listed, and
 * replayed to their source topics. Replaying is safe at any time: every consumer applies an event
 * at most once by its event id.
 */
@Injectable()
export class DeadLettersService {
  private readonly log = createLogger(DeadLettersService.name);

  constructor(
    private readonly repository: DeadLettersRepository,
    private readonly producer: DeadLettersProducer,
    private readonly changes: ChangeRecorder,
  ) {}

  async list(scope: LetterScope, f: DeadLetterFilter, limit: number, cursor?: string) {
    const before = cursor ? decodeLetterCursor(readerOf(scope), cursor) : undefined;
    const rows = await this.repository.list(scope, f, limit + 1, before);
    const page = rows.slice(0, limit);
    const items = page.map((r) => (scope === 'operator' ? { ...toDeadLetter(r), messageKey: r.message_key } : toDeadLetter(r)));
    return { items, nextCursor: rows.length > limit ? encodeLetterCursor(readerOf(scope), page[page.length - 1].id) : null };
  }

  async get(scope: LetterScope, id: string) {
    const row = await this.repository.find(scope, id);
    if (!row) throw ApiError.notFound('dead_letter_not_found', `no dead letter ${id}`, 'id');
    return scope === 'operator' ? { ...toDeadLetter(row), messageKey: row.message_key } : toDeadLetter(row);
  }

  /**
   * Republishes the letters (original key, value and headers) to their source topics, marks them
   * replayed and records the replay in the tenant's change log — all or nothing: if the broker
   * refuses, nothing is marked (a letter already sent is harmless: consumers are idempotent).
   */
  async replay(scope: LetterScope, req: ReplayRequest, ctx: ChangeContext): Promise<ReplayOutcome> {
    const outcome = await this.repository.inScope(scope, async (m) => {
      const rows = await this.repository.lockForReplay(m, scope, req);
      const found = new Set(rows.map((r) => r.id));
      const skipped: ReplayOutcome['skipped'] = (req.ids ?? []).filter((id, i, all) => !found.has(id) && all.indexOf(id) === i).map((id) => ({ id, reason: 'not_found' as const }));
      const replayable = rows.filter((r) => {
        if (!r.message_value) skipped.push({ id: r.id, reason: 'value_omitted' });
        else if (!(r.source_topic in DLQ_TOPIC_OF)) skipped.push({ id: r.id, reason: 'unknown_source_topic' });
        else return true;
        return false;
      });
      // One message dead-lettered by several consumer groups has a letter from each: it is sent once.
      const messages = new Map(replayable.map((r) => [r.source_offset === '-1' ? `letter ${r.id}` : `${r.source_topic}/${r.source_partition}/${r.source_offset}`, r]));
      await this.producer.republish([...messages.values()]);
      const ids = replayable.map((r) => r.id);
      await this.repository.markReplayed(m, scope, ids);
      if (ids.length && scope !== 'operator') {
        await this.changes.record(m, ctx, {
          tenantId: scope.tenantId,
          resource: { type: 'dead_letters', id: 'replay' },
          action: 'dead_letters.replayed',
          before: null,
          after: { replayed: ids, skipped },
        });
      }
      return { replayed: ids.length, skipped, remaining: await this.repository.countReplayable(m, scope) };
    });
    if (outcome.replayed) {
      this.changes.flushSoon();
      this.log.info({ tenantId: readerOf(scope), replayed: outcome.replayed, skipped: outcome.skipped.length }, 'dead letters replayed');
    }
    return outcome;
  }
}
