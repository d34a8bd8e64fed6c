import { randomUUID } from 'node:crypto';
import { TransientError } from '@agent-ledger/kafka';
import { anActionEvent } from '@agent-ledger/testing';
import { ActionProjector } from './action-projector';
import { deriveActionRow, parseActionState } from './action-state';
import { actionKey, type ActionsRepository, type ActionWrite } from './actions.repository';
import { acceptedMessages } from './projection-test-messages.fixtures';
import type { ProjectionTransaction } from './projection.repository';

const tx = {} as ProjectionTransaction;

/** The actions table in memory: merge state per key; `stolen` keys are created by "another writer" at insert time. */
function fakeActions(stolen: Set<string> = new Set()) {
  const table = new Map<string, string>();
  const writes = { inserted: [] as ActionWrite[], updated: [] as ActionWrite[] };
  const repository = {
    lockExisting: async (_tx: ProjectionTransaction, keys: { tenantId: string; actionId: string }[]) =>
      new Map(keys.map((k) => actionKey(k.tenantId, k.actionId)).filter((k) => table.has(k)).map((k) => [k, JSON.parse(table.get(k)!)])),
    insert: async (_tx: ProjectionTransaction, rows: ActionWrite[]) => {
      const fresh = rows.filter((r) => !stolen.has(actionKey(r.tenantId, r.actionId)));
      for (const r of fresh) table.set(actionKey(r.tenantId, r.actionId), r.state);
      writes.inserted.push(...fresh);
      return fresh.length;
    },
    update: async (_tx: ProjectionTransaction, rows: ActionWrite[]) => {
      for (const r of rows) table.set(actionKey(r.tenantId, r.actionId), r.state);
      writes.updated.push(...rows);
    },
  } as unknown as ActionsRepository;
  return { projector: new ActionProjector(repository), table, writes };
}

describe(ActionProjector.name, () => {
  const tenantId = randomUUID();
  const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString();

  it('should insert a new action once with its final row and report it with no previous row', async () => {
    const { projector, writes } = fakeActions();
    const events = acceptedMessages([
      anActionEvent(tenantId, { type: 'action.attempted', actionId: 'a-1', occurredAt: at(0) }),
      anActionEvent(tenantId, { type: 'action.executed', actionId: 'a-1', occurredAt: at(2), durationMs: 2_000 }),
    ]);

    const changes = await projector.apply(tx, events);

    expect(changes).toEqual([{ tenantId, actionId: 'a-1', before: null, after: expect.objectContaining({ status: 'executed', eventCount: 2, durationMs: 2_000 }) }]);
    expect(writes.inserted).toHaveLength(1);
    expect(writes.updated).toEqual([]);
  });

  it('should merge into a stored action and report its row before and after the batch', async () => {
    const { projector, table, writes } = fakeActions();
    await projector.apply(tx, acceptedMessages([anActionEvent(tenantId, { type: 'action.attempted', actionId: 'a-2', occurredAt: at(0) })]));
    const stored = deriveActionRow(parseActionState(JSON.parse(table.get(actionKey(tenantId, 'a-2'))!))!);

    const changes = await projector.apply(tx, acceptedMessages([anActionEvent(tenantId, { type: 'action.failed', actionId: 'a-2', occurredAt: at(5), error: { message: 'boom' } })]));

    expect(changes).toEqual([{ tenantId, actionId: 'a-2', before: stored, after: expect.objectContaining({ status: 'failed', errorMessage: 'boom', eventCount: 2 }) }]);
    expect(changes[0].before).toMatchObject({ status: 'attempted', eventCount: 1 });
    expect(writes.updated.map((w) => w.actionId)).toEqual(['a-2']);
  });

  it('should end in the same row whatever the order and batching of the events', async () => {
    const events = [
      anActionEvent(tenantId, { type: 'action.executed', actionId: 'a-3', occurredAt: at(3), durationMs: 10 }),
      anActionEvent(tenantId, { type: 'action.attempted', actionId: 'a-3', occurredAt: at(0) }),
      anActionEvent(tenantId, { type: 'action.confirmed', actionId: 'a-3', occurredAt: at(1) }),
    ];
    const oneBatch = fakeActions();
    const [together] = await oneBatch.projector.apply(tx, acceptedMessages(events));
    const oneByOne = fakeActions();
    let last;
    for (const e of [...events].reverse()) [last] = await oneByOne.projector.apply(tx, acceptedMessages([e]));

    expect(last!.after).toEqual(together.after);
  });

  it('should ask for a retry instead of overwriting an action another writer created meanwhile', async () => {
    const { projector } = fakeActions(new Set([actionKey(tenantId, 'a-4')]));

    await expect(projector.apply(tx, acceptedMessages([anActionEvent(tenantId, { type: 'action.attempted', actionId: 'a-4' })]))).rejects.toBeInstanceOf(TransientError);
  });

  it('should leave actions alone when the batch has no lifecycle events', async () => {
    const { projector, writes } = fakeActions();

    expect(await projector.apply(tx, acceptedMessages([anActionEvent(tenantId, { type: 'message.recorded' })]))).toEqual([]);
    expect(writes).toEqual({ inserted: [], updated: [] });
  });
});
