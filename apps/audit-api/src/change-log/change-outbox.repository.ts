import { Injectable } from '@nestjs/common';
import type { ActionEvent } from '@agent-ledger/contracts';
import { DataSource, type EntityManager } from '@agent-ledger/persistence';

export interface PendingChange {
  eventId: string;
  event: ActionEvent;
}

@Injectable()
export class ChangeOutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Adds a change event in the caller's transaction (so it exists exactly when the change does). */
  async add(manager: EntityManager, event: ActionEvent): Promise<void> {
    await manager.query(`INSERT INTO change_outbox (event_id, tenant_id, event) VALUES ($1, $2, $3)`, [event.eventId, event.tenantId, JSON.stringify(event)]);
  }

  /**
   * Publishes up to `limit` pending changes with `publish`, oldest first, and marks them published
   * in the same transaction; rows locked by another audit-api instance are skipped.
   */
  async relay(limit: number, publish: (changes: PendingChange[]) => Promise<void>): Promise<number> {
    return this.dataSource.transaction(async (m) => {
      const rows: { event_id: string; event: ActionEvent }[] = await m.query(
        `SELECT event_id, event FROM change_outbox WHERE published_at IS NULL ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [limit],
      );
      if (!rows.length) return 0;
      await publish(rows.map((r) => ({ eventId: r.event_id, event: r.event })));
      await m.query(`UPDATE change_outbox SET published_at = now() WHERE event_id = ANY($1::uuid[])`, [rows.map((r) => r.event_id)]);
      return rows.length;
    });
  }

  async pendingCount(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT count(*)::int AS n FROM change_outbox WHERE published_at IS NULL`);
    return row.n;
  }
}
