import { randomBytes, randomUUID } from 'node:crypto';
import type { ActionEvent } from '@agent-ledger/contracts';
import { decryptPii, isPiiEnvelope, PiiCipher, type PiiEnvelope } from '@agent-ledger/integrity';
import type { DataSource } from '@agent-ledger/persistence';
import { ApiError } from '@agent-ledger/runtime';
import { anActionEvent } from '@agent-ledger/testing';
import type { Redis } from 'ioredis';
import type { IngestSettings } from './ingest.settings';
import { PiiSealer } from './pii-sealer';

describe('PiiSealer', () => {
  const tenantId = randomUUID();
  const masterKey = randomBytes(32);
  const settings = (over: Partial<IngestSettings['pii']> = {}): IngestSettings =>
    ({ pii: { masterKey, keyTimeoutMs: 200, keyCacheTtlMs: 60_000, ...over } }) as IngestSettings;
  /** A data source whose subject_keys is empty and accepts inserts (the store's INSERT … RETURNING). */
  const acceptingDb = () => {
    const query = jest.fn(async (sql: string, params: unknown[]) => {
      if (!sql.includes('INSERT')) return [];
      const [tenants, subjects] = params as [string[], string[]];
      return tenants.map((t, i) => ({ tenant_id: t, subject_id: subjects[i] }));
    });
    return { db: { query } as unknown as DataSource, query };
  };
  const sealer = (db: DataSource, s = settings()) => new PiiSealer(db, {} as Redis, s);
  const withPii = (pii: Record<string, unknown>) => anActionEvent(tenantId, { subject: { id: 'cust-1', pii }, actor: { type: 'user', id: 'u-1', ip: '198.51.100.7' } });

  it('should encrypt subject.pii and actor.ip before publishing, under keys wrapped by the master key', async () => {
    const { db, query } = acceptingDb();
    const [out] = await sealer(db).seal([withPii({ email: 'jane@example.com' })]);
    const pii = out.subject!.pii as unknown as PiiEnvelope;
    const ip = out.actor!.ip as unknown as PiiEnvelope;
    expect(isPiiEnvelope(pii) && isPiiEnvelope(ip)).toBe(true);
    // The key that was stored for the subject opens the envelope.
    const insert = query.mock.calls.find(([sql]) => sql.includes('INSERT'))!;
    const [, subjects, kids, wrapped] = insert[1] as [string[], string[], string[], Buffer[]];
    const i = subjects.indexOf('cust-1');
    const key = new PiiCipher(masterKey).unwrapDataKey(wrapped[i], tenantId, kids[i]);
    expect(decryptPii(pii, key)).toEqual({ email: 'jane@example.com' });
    expect(JSON.stringify(out)).not.toContain('jane@example.com');
    expect(JSON.stringify(out)).not.toContain('198.51.100.7');
  });

  it('should encrypt an envelope-shaped value a client sent like any other value (no bypass, no planted ciphertext)', async () => {
    const { db } = acceptingDb();
    const planted = { $enc: 'v1', kid: randomUUID(), iv: 'AAAA', ct: 'AAAA', tag: 'AAAA' };
    const [out] = await sealer(db).seal([withPii(planted)]);
    const pii = out.subject!.pii as unknown as PiiEnvelope;
    expect(pii.kid).not.toBe(planted.kid);
    expect(pii.ct).not.toBe(planted.ct);
  });

  it('should publish events without PII as they are, without touching the database', async () => {
    const db = { query: jest.fn(async () => Promise.reject(new Error('database down'))) } as unknown as DataSource;
    const plain = anActionEvent(tenantId, { subject: { id: 'cust-2' } });
    await expect(sealer(db).seal([plain])).resolves.toEqual([plain]);
  });

  it('should answer 503 pii_key_unavailable when the database fails, and when it does not answer in time', async () => {
    const failing = { query: jest.fn(async () => Promise.reject(new Error('connection refused'))) } as unknown as DataSource;
    const hanging = { query: jest.fn(() => new Promise(() => undefined)) } as unknown as DataSource;
    for (const db of [failing, hanging]) {
      const err = await sealer(db).seal([withPii({ email: 'x@example.com' })]).then(() => undefined, (e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ status: 503, code: 'pii_key_unavailable' });
    }
  });

  it('should answer 503 pii_key_unavailable when the subject key is wrapped under a master key ingest does not hold', async () => {
    const other = new PiiCipher(randomBytes(32)).generateDataKey(tenantId);
    const db = {
      query: jest.fn(async (sql: string, params: unknown[]) => {
        if (sql.includes('INSERT')) return [];
        const [tenants, subjects] = params as [string[], string[]];
        return tenants.map((t, i) => ({ tenant_id: t, subject_id: subjects[i], key_id: other.keyId, wrapped_key: other.wrappedKey }));
      }),
    } as unknown as DataSource;
    await expect(sealer(db).seal([withPii({ email: 'z@example.com' })])).rejects.toMatchObject({ status: 503, code: 'pii_key_unavailable' });
  });

  it('should leave PII to the projector only when no master key is configured (never in production)', async () => {
    const { db } = acceptingDb();
    const event: ActionEvent = withPii({ email: 'y@example.com' });
    await expect(sealer(db, settings({ masterKey: undefined })).seal([event])).resolves.toEqual([event]);
  });
});
