import { randomUUID } from 'node:crypto';
import { anActionEvent } from '@agent-ledger/testing';
import { acceptedMessages } from './projection-test-messages.fixtures';
import type { ProjectionTransaction } from './projection.repository';
import { TenantDirectory } from './tenant-directory';

describe(TenantDirectory.name, () => {
  const known = randomUUID();
  const unknown = randomUUID();
  const asked: string[][] = [];
  const tx = { existingTenants: async (ids: string[]) => (asked.push(ids), new Set(ids.filter((t) => t === known))) } as unknown as ProjectionTransaction;

  beforeEach(() => (asked.length = 0));

  it('should refuse the events of a tenant without a row and keep the others in order', async () => {
    const events = acceptedMessages([anActionEvent(known), anActionEvent(unknown), anActionEvent(known)]);

    const out = await new TenantDirectory().check(tx, events);

    expect(out.accepted).toEqual([events[0], events[2]]);
    expect(out.rejected).toEqual([expect.objectContaining({ offset: 1n, code: 'unknown_tenant' })]);
    expect(out.learned).toEqual(new Set([known]));
  });

  it('should not ask the database again about a tenant remembered after a commit', async () => {
    const directory = new TenantDirectory();
    directory.remember([known]);

    const out = await directory.check(tx, acceptedMessages([anActionEvent(known)]));

    expect(out.accepted).toHaveLength(1);
    expect(asked).toEqual([]);
  });

  it('should ask again when the batch that learned a tenant was not committed', async () => {
    const directory = new TenantDirectory();
    await directory.check(tx, acceptedMessages([anActionEvent(known)]));

    await directory.check(tx, acceptedMessages([anActionEvent(known)]));

    expect(asked).toEqual([[known], [known]]);
  });
});
