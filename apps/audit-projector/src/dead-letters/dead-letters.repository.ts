import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from '@agent-ledger/persistence';
import type { DeadLetterRow } from './dead-letter.codec';

/** PostgreSQL error classes of bad data (22: data exception, 23: integrity constraint violation). */
const isDataError = (err: unknown): boolean => /^2[23]/.test(String((err as { code?: unknown }).code ?? ''));

/** The `dead_letters` table, written idempotently: one row per position in a dead-letter topic. */
@Injectable()
export class DeadLettersRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Stores the letters in one transaction; a letter already stored (same DLQ position and time) is left as it
   * is. A letter PostgreSQL refuses as data is stored without its key and headers, and if it is
   * still refused, not stored (it is reported in `refused`): a letter never stops the partition.
   */
  async store(letters: DeadLetterRow[]): Promise<{ inserted: number; refused: DeadLetterRow[] }> {
    if (!letters.length) return { inserted: 0, refused: [] };
    try {
      return await this.dataSource.transaction(async (m) => {
        let inserted = 0;
        for (const l of letters) inserted += await this.insert(m, l);
        return { inserted, refused: [] };
      });
    } catch (err) {
      if (!isDataError(err)) throw err;
      // One at a time, to find the letters PostgreSQL refuses.
      const out = { inserted: 0, refused: [] as DeadLetterRow[] };
      for (const l of letters) {
        try {
          out.inserted += await this.dataSource.transaction((m) => this.insert(m, l));
        } catch (first) {
          if (!isDataError(first)) throw first;
          try {
            out.inserted += await this.dataSource.transaction((m) => this.insert(m, { ...l, messageKey: null, messageHeaders: {} }));
          } catch (second) {
            if (!isDataError(second)) throw second;
            out.refused.push(l);
          }
        }
      }
      return out;
    }
  }

  private async insert(m: EntityManager, l: DeadLetterRow): Promise<number> {
    const rows: unknown[] = await m.query(
      `INSERT INTO dead_letters (tenant_id, consumer_group, source_topic, source_partition, source_offset, dlq_topic, dlq_partition, dlq_offset,
                                 event_id, event_type, error_class, reason_code, reason, message_key, message_value, message_headers, value_bytes, dead_lettered_at)
       VALUES ((SELECT id FROM tenants WHERE id = $1::uuid), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, $18)
       ON CONFLICT (dlq_topic, dlq_partition, dlq_offset, dead_lettered_at) DO NOTHING RETURNING id`,
      [
        l.tenantCandidate,
        l.consumerGroup,
        l.sourceTopic,
        l.sourcePartition,
        l.sourceOffset,
        l.dlqTopic,
        l.dlqPartition,
        l.dlqOffset,
        l.eventId,
        l.eventType,
        l.errorClass,
        l.reasonCode,
        l.reason,
        l.messageKey,
        l.messageValue,
        JSON.stringify(l.messageHeaders),
        l.valueBytes,
        l.deadLetteredAt,
      ],
    );
    return rows.length;
  }
}
