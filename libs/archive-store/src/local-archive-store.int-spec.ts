import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { itBehavesLikeAnArchiveStore } from './archive-store.contract.fixtures';
import { LocalArchiveStore } from './local-archive-store';

/** Every file under `dir`, relative, including hidden ones. */
const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

describe(LocalArchiveStore.name, () => {
  let root: string;
  let n = 0;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'local-archive-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const freshDir = () => path.join(root, `store-${++n}`, 'nested');

  describe('contract', () => {
    itBehavesLikeAnArchiveStore(() => new LocalArchiveStore(freshDir()));
  });

  it('should create the directory and name it as a file URL when constructed', () => {
    const dir = path.join(freshDir(), 'with space');
    const store = new LocalArchiveStore(dir);
    expect(store.location).toBe(pathToFileURL(dir).href);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('should refuse a relative directory when constructed', () => {
    expect(() => new LocalArchiveStore('relative/dir')).toThrow(/absolute/);
  });

  it('should keep objects as files under their key and leave no temporary file when puts complete', async () => {
    const dir = freshDir();
    const store = new LocalArchiveStore(dir);
    await Promise.all(['t/1/a.gz', 't/1/b.gz', 't/2/a.gz'].map((k) => store.put(k, Buffer.from(k), 'application/gzip')));
    await store.put('t/1/a.gz', Buffer.from('again'), 'application/gzip');
    expect(filesUnder(dir)).toEqual(['t/1/a.gz', 't/1/b.gz', 't/2/a.gz']);
  });

  it('should never let a reader see part of an object when puts and gets overlap', async () => {
    const store = new LocalArchiveStore(freshDir());
    const size = 4 * 1024 * 1024;
    const versions = [Buffer.alloc(size, 0x61), Buffer.alloc(size, 0x62)];
    await store.put('big', versions[0]!, 'application/octet-stream');
    let writing = true;
    const writer = (async () => {
      for (let i = 1; i <= 20; i++) await store.put('big', versions[i % 2]!, 'application/octet-stream');
      writing = false;
    })();
    let reads = 0;
    const torn: number[] = [];
    while (writing) {
      const got = (await store.get('big'))!;
      reads++;
      if (!versions.some((v) => v.equals(got))) torn.push(got.length);
    }
    await writer;
    expect(torn).toEqual([]);
    expect(reads).toBeGreaterThan(0);
  }, 60_000);

  it('should ignore a temporary file a crash left behind when listing and reading', async () => {
    const dir = freshDir();
    const store = new LocalArchiveStore(dir);
    await store.put('t/a', Buffer.from('whole'), 'text/plain');
    writeFileSync(path.join(dir, 't', '.b.partial-0123456789ab'), 'half');
    expect(await store.list('')).toEqual(['t/a']);
    expect(await store.get('t/b')).toBeUndefined();
  });

  it('should return undefined when the key would be below an object', async () => {
    // (S3Proxy's filesystem backend answers 500 here; AWS S3 answers NoSuchKey.)
    const store = new LocalArchiveStore(freshDir());
    await store.put('a/b', Buffer.from('x'), 'text/plain');
    expect(await store.get('a/b/c')).toBeUndefined();
  });

  it('should list nothing when the directory was removed after construction', async () => {
    const dir = freshDir();
    const store = new LocalArchiveStore(dir);
    rmSync(dir, { recursive: true });
    expect(await store.list('')).toEqual([]);
    expect(await store.list('a/b/')).toEqual([]);
  });

  it('should reject naming the key and location and leave no temporary file when a write fails', async () => {
    const dir = freshDir();
    const store = new LocalArchiveStore(dir);
    await store.put('a', Buffer.from('an object where a folder would have to be'), 'text/plain');
    const failure = store.put('a/b', Buffer.from('x'), 'text/plain');
    await expect(failure).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(failure).rejects.toThrow(`could not write archive object "a/b" to ${store.location}`);
    expect(filesUnder(dir)).toEqual(['a']);
  });
});
