import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { uniqueSuffix } from '@agent-ledger/testing';
import { itBehavesLikeAnArchiveStore } from './archive-store.contract.fixtures';
import { S3ArchiveStore, type S3ArchiveStoreOptions } from './s3-archive-store';

/** The S3Proxy of the local stack (scripts/stack.sh up writes these to .stack/env). */
function s3proxy() {
  const need = (name: string): string => {
    const v = process.env[name];
    if (!v) throw new Error(`${name} is not set: run "bash scripts/stack.sh up" (it starts S3Proxy and writes .stack/env) first`);
    return v;
  };
  return {
    endpoint: need('S3PROXY_ENDPOINT'),
    bucket: need('S3PROXY_BUCKET'),
    accessKeyId: need('S3PROXY_ACCESS_KEY_ID'),
    secretAccessKey: need('S3PROXY_SECRET_ACCESS_KEY'),
  };
}

/** Talks to S3Proxy directly, to see what the store wrote. */
const rawClient = (s: ReturnType<typeof s3proxy>) =>
  new S3Client({ region: 'us-east-1', endpoint: s.endpoint, forcePathStyle: true, credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } });

describe(S3ArchiveStore.name, () => {
  const s = s3proxy();
  const run = `int-test-${uniqueSuffix()}`; // every run writes under its own prefix of the shared bucket
  const stores: S3ArchiveStore[] = [];
  let n = 0;
  const open = (over: Partial<S3ArchiveStoreOptions> = {}) => {
    const store = new S3ArchiveStore({ ...s, prefix: `${run}/store-${++n}`, ...over });
    stores.push(store);
    return store;
  };
  afterAll(() => stores.forEach((store) => store.destroy()));

  describe('contract', () => {
    itBehavesLikeAnArchiveStore(() => open());
  });

  it('should keep objects under the prefix with one slash and their content type when put', async () => {
    const store = open({ prefix: `/${run}/layout/` });
    expect(store.location).toBe(`s3://${s.bucket}/${run}/layout`);
    await store.put('tenants/t1/000001.jsonl.gz', Buffer.from('gz'), 'application/gzip');
    const raw = rawClient(s);
    try {
      const listed = await raw.send(new ListObjectsV2Command({ Bucket: s.bucket, Prefix: `${run}/layout` }));
      expect(listed.Contents?.map((o) => o.Key)).toEqual([`${run}/layout/tenants/t1/000001.jsonl.gz`]);
      const head = await raw.send(new HeadObjectCommand({ Bucket: s.bucket, Key: `${run}/layout/tenants/t1/000001.jsonl.gz` }));
      expect(head.ContentType).toBe('application/gzip');
      const body = await raw.send(new GetObjectCommand({ Bucket: s.bucket, Key: `${run}/layout/tenants/t1/000001.jsonl.gz` }));
      expect(await body.Body?.transformToString()).toBe('gz');
    } finally {
      raw.destroy();
    }
  });

  it('should not see another prefix when prefixes share a beginning', async () => {
    const p1 = open({ prefix: `${run}/p1` });
    const p10 = open({ prefix: `${run}/p10` });
    await p1.put('k', Buffer.from('one'), 'text/plain');
    await p10.put('k', Buffer.from('ten'), 'text/plain');
    expect(await p1.list('')).toEqual(['k']);
    expect((await p1.get('k'))?.toString()).toBe('one');
    expect((await p10.get('k'))?.toString()).toBe('ten');
  });

  it('should list the whole bucket relative to its root when no prefix is set', async () => {
    const store = open({ prefix: undefined });
    expect(store.location).toBe(`s3://${s.bucket}`);
    await open({ prefix: `${run}/root` }).put('x', Buffer.from('x'), 'text/plain');
    expect(await store.list(`${run}/root/`)).toEqual([`${run}/root/x`]);
    expect((await store.get(`${run}/root/x`))?.toString()).toBe('x');
  });

  it('should reject naming key and location, without the secret, when the credentials are wrong', async () => {
    const secret = `wrong-${uniqueSuffix()}`;
    const store = open({ secretAccessKey: secret });
    const failure = store.get('some/key');
    await expect(failure).rejects.toMatchObject({ code: 'store_unavailable' });
    await expect(failure).rejects.toThrow(`could not read archive object "some/key" from ${store.location}`);
    await expect(failure).rejects.toThrow(/403/);
    await expect(failure).rejects.not.toThrow(secret);
  });

  it('should reject rather than answer undefined when the bucket does not exist', async () => {
    const store = open({ bucket: `missing-${uniqueSuffix()}` });
    await expect(store.get('k')).rejects.toThrow(/NoSuchBucket/);
    await expect(store.list('')).rejects.toThrow(/could not list archive prefix "" in s3:\/\/missing-/);
    await expect(store.put('k', Buffer.from('x'), 'text/plain')).rejects.toThrow(/could not write archive object "k"/);
  });

  it('should reject with the reason when nothing listens at the endpoint', async () => {
    const store = open({ endpoint: 'http://127.0.0.1:1' });
    await expect(store.list('')).rejects.toThrow(/ECONNREFUSED/);
  });
});
