import { randomUUID } from 'node:crypto';
import { EventSubscriptionsCache } from './event-subscriptions.cache';
import type { EventSubscription, EventSubscriptionsRepository } from './event-subscriptions.repository';

/** A repository that answers from a table and counts its queries. */
function repositoryOf(table: Map<string, { tenantName: string; endpoints: EventSubscription[] }>) {
  const queries: string[][] = [];
  const repository = {
    forTenants: async (ids: string[]) => {
      queries.push([...ids]);
      return new Map([...table].filter(([id]) => ids.includes(id)));
    },
  } as unknown as EventSubscriptionsRepository;
  return { repository, queries };
}

describe(EventSubscriptionsCache.name, () => {
  const a = randomUUID();
  const b = randomUUID();
  const unknown = randomUUID();
  const ledger: EventSubscription = { endpointId: randomUUID(), url: 'https://a.example/hook', filter: { events: ['action.failed'], riskLevels: ['destructive'] } };
  const escalationsOnly: EventSubscription = { endpointId: randomUUID(), url: 'https://a.example/esc', filter: { events: ['escalation.opened'] } };
  const table = new Map([
    [a, { tenantName: 'Acme', endpoints: [ledger, escalationsOnly] }],
    [b, { tenantName: 'Beta', endpoints: [] }],
  ]);

  it('should load every missing tenant in one query and answer from memory until the period ends', async () => {
    const { repository, queries } = repositoryOf(table);
    const cache = new EventSubscriptionsCache(repository, { NOTIFIER_EVENT_FILTER_CACHE_MS: 1_000 });
    const first = await cache.forTenants([a, b, a, unknown], 10_000);
    expect(queries).toEqual([[a, b, unknown]]);
    expect(first.get(a)).toEqual({ tenantName: 'Acme', subscriptions: [ledger] });
    expect(first.get(b)?.subscriptions).toEqual([]);
    expect(first.get(unknown)?.subscriptions).toEqual([]);

    await cache.forTenants([a, b, unknown], 10_999);
    expect(queries).toHaveLength(1);
    await cache.forTenants([a, b], 11_000);
    expect(queries).toEqual([[a, b, unknown], [a, b]]);
  });

  it('should query every time when the cache period is 0', async () => {
    const { repository, queries } = repositoryOf(table);
    const cache = new EventSubscriptionsCache(repository, { NOTIFIER_EVENT_FILTER_CACHE_MS: 0 });
    await cache.forTenants([a], 1);
    await cache.forTenants([a], 1);
    expect(queries).toEqual([[a], [a]]);
  });
});
