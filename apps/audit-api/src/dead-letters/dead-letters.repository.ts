import { Injectable } from '@nestjs/common';
import { DataSource, TenantDatabase, type EntityManager } from '@agent-ledger/persistence';
import { Where } from '../queries/query-filters';
import { MAX_REPLAY, type DeadLetterFilter, type ReplayRequest } from './dead-letters.dto';

/** Whose letters: one tenant's (through row-level security), or the operator's (letters with no tenant). */
export type LetterScope = { tenantId: string } | 'operator';

export interface DeadLetterRecord {
  id: string;
  consumer_group: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  event_id: string | null;
  event_type: string | null;
  error_class: string;
  reason_code: string;
  reason: string;
  message_key: string | null;
  value_bytes: number;
  value_omitted: boolean;
  dead_lettered_at: Date;
  replayed_at: Date | null;
  replay_count: number;
}

/** What a replay republishes: the original message. */
export interface ReplayRecord {
  id: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  message_key: string | null;
  message_value: Buffer | null;
  message_headers: Record<string, string>;
}

/** `id` is also an output name (text): ORDER BY must name `dead_letters.id`, the number, or 9999 sorts after 10000. */
const COLUMNS = `id::text AS id, consumer_group, source_topic, source_partition, source_offset::text AS source_offset, event_id, event_type,
  error_class, reason_code, reason, message_key, value_bytes, message_value IS NULL AS value_omitted, dead_lettered_at, replayed_at, replay_count`;

/** Dead letters as the projector stored them: listed, counted and marked replayed. */
@Injectable()
export class DeadLettersRepository {
  constructor(
    private readonly tenantDb: TenantDatabase,
    private readonly dataSource: DataSource,
  ) {}

  /** Runs `work` in one transaction of the scope: the tenant's role-level-security scope, or the owner's. */
  inScope<T>(scope: LetterScope, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return scope === 'operator' ? this.dataSource.transaction(work) : this.tenantDb.run(scope.tenantId, work);
  }

  async list(scope: LetterScope, f: DeadLetterFilter, limit: number, beforeId?: string): Promise<DeadLetterRecord[]> {
    const w = where(scope);
    if (f.from) w.add('dead_lettered_at >= ?', f.from);
    if (f.to) w.add('dead_lettered_at < ?', f.to);
    if (f.sourceTopic) w.add('source_topic = ?', f.sourceTopic);
    if (f.reasonCode) w.add('reason_code = ?', f.reasonCode);
    if (f.replayed !== undefined) w.add(f.replayed ? 'replayed_at IS NOT NULL' : 'replayed_at IS NULL');
    if (beforeId) w.add('id < ?::bigint', beforeId);
    return this.inScope(scope, (m) => m.query(`SELECT ${COLUMNS} FROM dead_letters WHERE ${w} ORDER BY dead_letters.id DESC LIMIT ${w.param(limit)}`, w.params));
  }

  async find(scope: LetterScope, id: string): Promise<DeadLetterRecord | undefined> {
    const w = where(scope).add('id = ?::bigint', id);
    const [row] = await this.inScope(scope, (m) => m.query(`SELECT ${COLUMNS} FROM dead_letters WHERE ${w}`, w.params));
    return row;
  }

  /**
   * Locks the letters a replay asks for, in `m` (from {@link inScope}): the listed ids, or the oldest
   * unreplayed letters (those that can be replayed first), at most {@link MAX_REPLAY}.
   */
  async lockForReplay(m: EntityManager, scope: LetterScope, req: ReplayRequest): Promise<ReplayRecord[]> {
    const w = where(scope);
    if (req.ids) w.add('id = ANY(?::bigint[])', req.ids);
    else w.add('replayed_at IS NULL');
    return m.query(
      `SELECT id::text AS id, source_topic, source_partition, source_offset::text AS source_offset, message_key, message_value, message_headers FROM dead_letters WHERE ${w}
        ORDER BY (message_value IS NULL), dead_letters.id LIMIT ${MAX_REPLAY} FOR UPDATE`,
      w.params,
    );
  }

  async markReplayed(m: EntityManager, scope: LetterScope, ids: string[]): Promise<void> {
    if (!ids.length) return;
    const w = where(scope).add('id = ANY(?::bigint[])', ids);
    await m.query(`UPDATE dead_letters SET replayed_at = now(), replay_count = replay_count + 1 WHERE ${w}`, w.params);
  }

  async countReplayable(m: EntityManager, scope: LetterScope): Promise<number> {
    const w = where(scope);
    const [row] = await m.query(`SELECT count(*)::int AS n FROM dead_letters WHERE ${w} AND replayed_at IS NULL AND message_value IS NOT NULL`, w.params);
    return row.n;
  }
}

function where(scope: LetterScope): Where {
  if (scope !== 'operator') return new Where('tenant_id', scope.tenantId);
  // Where starts with a tenant condition; the operator's is "no tenant".
  return new Where(`coalesce(tenant_id::text, '')`, '');
}
