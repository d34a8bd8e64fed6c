import type { ActionRow } from './action-state';

/**
 * What one batch did to one action of the `actions` projection: its row as derived from the state
 * read under the row lock (null for an action the ledger had not seen — and for a row without a
 * merge state, written before migration 1732300000200, which the batch rebuilds from its own events),
 * and its row after the batch's events were merged. Consumers written in the same transaction (statistics rollups) apply
 * `after − before`.
 */
export interface ActionChange {
  tenantId: string;
  actionId: string;
  before: ActionRow | null;
  after: ActionRow;
}
