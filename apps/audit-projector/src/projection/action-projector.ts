import { Injectable } from '@nestjs/common';
import { isActionType, type ActionEvent, type ActionType } from '@agent-ledger/contracts';
import { TransientError } from '@agent-ledger/kafka';
import type { ActionChange } from './action-change';
import { deriveActionRow, mergeActionEvent, parseActionState, summarize, type ActionState } from './action-state';
import { actionKey, ActionsRepository, type ActionWrite } from './actions.repository';
import type { AcceptedMessage } from './event-intake';
import type { ProjectionTransaction } from './projection.repository';

interface ActionGroup {
  tenantId: string;
  actionId: string;
  events: AcceptedMessage[];
}

/**
 * The `actions` projection of a batch: groups the new lifecycle events by action, reads the stored
 * merge state of the existing actions under a row lock, merges the events in (the state machine of
 * action-state.ts, independent of their order) and writes each action once. Returns what changed per
 * action, so that projections derived from actions (statistics rollups) apply the difference in the
 * same transaction.
 */
@Injectable()
export class ActionProjector {
  constructor(private readonly actions: ActionsRepository) {}

  async apply(tx: ProjectionTransaction, events: readonly AcceptedMessage[]): Promise<ActionChange[]> {
    const groups = groupByAction(events);
    if (!groups.size) return [];
    const stored = await this.actions.lockExisting(tx, [...groups.values()]);
    const inserts: ActionWrite[] = [];
    const updates: ActionWrite[] = [];
    const changes: ActionChange[] = [];
    for (const [key, group] of groups) {
      const exists = stored.has(key);
      const before = parseActionState(stored.get(key));
      let state: ActionState | undefined = before;
      for (const a of group.events) state = mergeActionEvent(state, summarize(a.event as ActionEvent & { type: ActionType }, a.columns.occurredAt));
      if (!state) continue;
      const after = deriveActionRow(state);
      (exists ? updates : inserts).push({ ...after, tenantId: group.tenantId, actionId: group.actionId, state: JSON.stringify(state) });
      changes.push({ tenantId: group.tenantId, actionId: group.actionId, before: before ? deriveActionRow(before) : null, after });
    }
    const inserted = await this.actions.insert(tx, inserts);
    if (inserted !== inserts.length) {
      throw new TransientError(`${inserts.length - inserted} of ${inserts.length} new actions were created by another writer meanwhile (the batch is retried and merges into them)`);
    }
    await this.actions.update(tx, updates);
    return changes;
  }
}

/** The lifecycle events of each action, in batch (offset) order. */
function groupByAction(events: readonly AcceptedMessage[]): Map<string, ActionGroup> {
  const groups = new Map<string, ActionGroup>();
  for (const a of events) {
    if (!isActionType(a.event.type) || a.columns.actionId === null) continue;
    const key = actionKey(a.event.tenantId, a.columns.actionId);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { tenantId: a.event.tenantId, actionId: a.columns.actionId, events: [] }));
    group.events.push(a);
  }
  return groups;
}
