import type { ActionRow } from './action-state';

/**
 * What one batch did to one action of the `actions` projection: its row as derived from the state
 * read under the row lock (null for an action the ledger had not seen), and its row after the batch's
 * events were merged. Consumers written in the same transaction (statistics rollups) apply
 * `after − before`.
 */
export interface ActionChange {
  tenantId: string;
  actionId: string;
  before: ActionRow | null;
  after: ActionRow;
}
