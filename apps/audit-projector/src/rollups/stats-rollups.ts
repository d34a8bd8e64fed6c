import { Injectable } from '@nestjs/common';
import { rollupDeltas, writeRollups } from '@agent-ledger/ledger-stats';
import type { ActionChange } from '../projection/action-change';
import type { AuditEventInsert, ProjectionTransaction } from '../projection/projection.repository';

/** What a batch stored: its new audit_events rows and what it did to each action. */
export interface RollupBatch {
  events: Pick<AuditEventInsert, 'tenantId' | 'type' | 'occurredAt'>[];
  actions: ActionChange[];
}

/**
 * Keeps the statistics' rollups (docs/statistics.md) in the batch's transaction: +1 per stored event,
 * after − before per changed action. Called after the batch's `actions` rows are written.
 */
@Injectable()
export class StatsRollups {
  async apply(tx: Pick<ProjectionTransaction, 'rows'>, batch: RollupBatch): Promise<void> {
    await writeRollups(tx.rows, rollupDeltas(batch.actions, batch.events));
  }
}
