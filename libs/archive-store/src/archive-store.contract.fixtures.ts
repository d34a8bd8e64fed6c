import type { ArchiveStore } from './archive-store';

/**
 * What every ArchiveStore must do, run by the integration tests of each implementation.
 * `fresh` returns a store with nothing in it (a new directory, a new S3 prefix) for each test.
 */
export function itBehavesLikeAnArchiveStore(fresh: () => ArchiveStore): void {
  let store: ArchiveStore;
  beforeEach(() => {
    store = fresh();
  });

  const put = (key: string, text: string) => store.put(key, Buffer.from(text), 'text/plain');

  it('should return the same bytes when an object was put', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 * 4 }, (_, i) => i % 256));
    await store.put('tenants/t1/000001.jsonl.gz', bytes, 'application/gzip');
    expect(await store.get('tenants/t1/000001.jsonl.gz')).toEqual(bytes);
  });

  it('should return an empty buffer when an empty object was put', async () => {
    await store.put('empty', Buffer.alloc(0), 'application/octet-stream');
    expect(await store.get('empty')).toEqual(Buffer.alloc(0));
  });

  it('should return undefined when the key has no object', async () => {
    await put('a/b/c', 'x');
    expect(await store.get('missing')).toBeUndefined();
    expect(await store.get('a/b')).toBeUndefined(); // only a folder of other keys
  });

  it('should return the new bytes when an object is put again', async () => {
    await put('k', 'first version, longer than the second');
    await put('k', 'second');
    expect((await store.get('k'))?.toString()).toBe('second');
    expect(await store.list('')).toEqual(['k']);
  });

  it('should list every key in ascending byte order when they were put out of order', async () => {
    const keys = ['b', 'a/c', 'a/b/d', 'a-1', 'A', 'a/b/c', 'é', 'z'];
    for (const key of keys) await put(key, key);
    expect(await store.list('')).toEqual(['A', 'a-1', 'a/b/c', 'a/b/d', 'a/c', 'b', 'z', 'é']);
  });

  it('should list only the keys that start with the prefix when given one', async () => {
    for (const key of ['tenants/a/1', 'tenants/a/2', 'tenants/ab/1', 'tenants/b/1', 'tenantsX', 'other/a/1']) await put(key, key);
    expect(await store.list('tenants/a/')).toEqual(['tenants/a/1', 'tenants/a/2']);
    expect(await store.list('tenants/a')).toEqual(['tenants/a/1', 'tenants/a/2', 'tenants/ab/1']);
    expect(await store.list('tenants/')).toEqual(['tenants/a/1', 'tenants/a/2', 'tenants/ab/1', 'tenants/b/1']);
    expect(await store.list('tenants')).toEqual(['tenants/a/1', 'tenants/a/2', 'tenants/ab/1', 'tenants/b/1', 'tenantsX']);
    expect(await store.list('tenants/c/')).toEqual([]);
    expect(await store.list('nothing')).toEqual([]);
  });

  it('should list nothing when the store is empty', async () => {
    expect(await store.list('')).toEqual([]);
  });

  it('should list every key when there are more than one page of them (1000)', async () => {
    const keys = Array.from({ length: 1003 }, (_, i) => `many/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => put(k, k)));
    await put('manx', 'outside the prefix');
    expect(await store.list('many/')).toEqual(keys);
  }, 120_000);

  it('should reject without touching the store when a key or prefix is unsafe', async () => {
    await expect(put('../escape', 'x')).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(put('/abs', 'x')).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(store.get('a\\b')).rejects.toMatchObject({ code: 'invalid_key' });
    await expect(store.list('../')).rejects.toMatchObject({ code: 'invalid_key' });
    expect(await store.list('')).toEqual([]);
  });
}
