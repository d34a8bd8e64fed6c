import { CachedLookup, LookupUnavailableException, type CachedLookupOptions } from './cached-lookup';

/** A store whose answers and outages the test controls, counting the loads it served. */
class FakeStore {
  readonly values = new Map<string, string>();
  down = false;
  hang = false;
  loads = 0;

  async load(key: string): Promise<string | undefined> {
    this.loads++;
    if (this.hang) return new Promise(() => undefined);
    if (this.down) throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    return this.values.get(key);
  }
}

function setup(options: Partial<CachedLookupOptions> = {}) {
  const store = new FakeStore();
  const clock = { now: 1_000_000 };
  const lookup = new CachedLookup((k) => store.load(k), { name: 'test', freshMs: 5_000, staleMs: 300_000, absentMs: 5_000, retryMs: 1_000, now: () => clock.now, ...options });
  return { store, clock, lookup };
}

describe(CachedLookup.name, () => {
  it('should serve a loaded value from memory when it is fresh and load it again when it is not', async () => {
    const { store, clock, lookup } = setup();
    store.values.set('k', 'v1');
    expect(await lookup.get('k')).toBe('v1');
    store.values.set('k', 'v2');
    clock.now += 4_999;
    expect(await lookup.get('k')).toBe('v1');
    clock.now += 2;
    expect(await lookup.get('k')).toBe('v2');
    expect(store.loads).toBe(2);
  });

  it('should serve the last value when the store is down within the stale bound', async () => {
    const { store, clock, lookup } = setup();
    store.values.set('k', 'v1');
    await lookup.get('k');
    store.down = true;
    clock.now += 5_000 + 299_999;
    expect(await lookup.get('k')).toBe('v1');
  });

  it('should throw LookupUnavailableException when the store is down past the stale bound', async () => {
    const { store, clock, lookup } = setup();
    store.values.set('k', 'v1');
    await lookup.get('k');
    store.down = true;
    clock.now += 5_000 + 300_000;
    await expect(lookup.get('k')).rejects.toBeInstanceOf(LookupUnavailableException);
  });

  it('should throw LookupUnavailableException when the store is down and the key was never loaded', async () => {
    const { store, lookup } = setup();
    store.down = true;
    const err = await lookup.get('never').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LookupUnavailableException);
    expect((err as LookupUnavailableException).cause).toEqual(expect.objectContaining({ message: expect.stringContaining('ECONNREFUSED') }));
  });

  it('should remember an absent answer briefly and never serve it stale when the store is down', async () => {
    const { store, clock, lookup } = setup();
    expect(await lookup.get('unknown')).toBeUndefined();
    expect(await lookup.get('unknown')).toBeUndefined();
    expect(store.loads).toBe(1);
    store.down = true;
    clock.now += 5_001;
    await expect(lookup.get('unknown')).rejects.toBeInstanceOf(LookupUnavailableException);
  });

  it('should not ask the store again within retryMs of a failure and ask again after it', async () => {
    const { store, clock, lookup } = setup();
    store.values.set('k', 'v1');
    await lookup.get('k');
    store.down = true;
    clock.now += 6_000;
    for (let i = 0; i < 50; i++) expect(await lookup.get('k')).toBe('v1');
    await expect(lookup.get('other')).rejects.toBeInstanceOf(LookupUnavailableException);
    expect(store.loads).toBe(2);
    store.down = false;
    store.values.set('k', 'v2');
    clock.now += 1_000;
    expect(await lookup.get('k')).toBe('v2');
  });

  it('should share one load among concurrent lookups of a key', async () => {
    const { store, lookup } = setup();
    store.values.set('k', 'v1');
    const answers = await Promise.all(Array.from({ length: 20 }, () => lookup.get('k')));
    expect(answers).toEqual(Array(20).fill('v1'));
    expect(store.loads).toBe(1);
  });

  it('should treat a load slower than loadTimeoutMs as the store being down', async () => {
    jest.useFakeTimers();
    try {
      const store = new FakeStore();
      store.values.set('k', 'v1');
      const lookup = new CachedLookup((k) => store.load(k), { name: 'test', freshMs: 0, staleMs: 60_000, loadTimeoutMs: 2_000 });
      await lookup.get('k');
      store.hang = true;
      const stale = lookup.get('k');
      await jest.advanceTimersByTimeAsync(2_000);
      await expect(stale).resolves.toBe('v1');
      const none = lookup.get('other').catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(2_000);
      expect(await none).toBeInstanceOf(LookupUnavailableException);
    } finally {
      jest.useRealTimers();
    }
  });

  it('should forget evicted values and not cache a load that was under way when they were evicted', async () => {
    const { store, clock, lookup } = setup();
    store.values.set('k', 'v1');
    await lookup.get('k');
    lookup.evictWhere((v) => v === 'v1');
    store.down = true;
    await expect(lookup.get('k')).rejects.toBeInstanceOf(LookupUnavailableException);

    store.down = false;
    clock.now += 1_000;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = new CachedLookup(async (k) => (await gate, store.values.get(k)), { name: 'test', freshMs: 5_000, staleMs: 300_000 });
    const pending = slow.get('k');
    slow.evictWhere(() => true);
    release();
    expect(await pending).toBe('v1');
    store.values.set('k', 'v2');
    expect(await slow.get('k')).toBe('v2');
  });

  it('should keep at most maxEntries values when many keys are looked up, dropping the oldest', async () => {
    const { store, lookup } = setup({ maxEntries: 3, freshMs: 0 });
    for (const k of ['a', 'b', 'c', 'd']) store.values.set(k, k.toUpperCase());
    for (const k of ['a', 'b', 'c', 'd']) await lookup.get(k);
    store.down = true;
    await expect(lookup.get('a')).rejects.toBeInstanceOf(LookupUnavailableException);
    await expect(lookup.get('b')).resolves.toBe('B');
    await expect(lookup.get('d')).resolves.toBe('D');
  });

  it('should keep at most maxEntries absent answers when a flood of unknown keys is looked up, asking the store again for the oldest', async () => {
    const { store, lookup } = setup({ maxEntries: 2 });
    for (const k of ['x', 'y', 'z']) await lookup.get(k);
    expect(store.loads).toBe(3);
    await lookup.get('z');
    await lookup.get('y');
    expect(store.loads).toBe(3);
    await lookup.get('x');
    expect(store.loads).toBe(4);
  });

  it('should peek at a fresh value only, never asking the store', async () => {
    const { store, clock, lookup } = setup();
    store.values.set('k', 'v1');
    expect(lookup.peek('k')).toBeUndefined();
    await lookup.get('k');
    expect(lookup.peek('k')).toBe('v1');
    clock.now += 5_001;
    expect(lookup.peek('k')).toBeUndefined();
    expect(store.loads).toBe(1);
  });
});
