import { randomBytes, randomUUID } from 'node:crypto';
import { PiiCipher, PiiKeyError } from '@agent-ledger/integrity';
import { SubjectKeyStore, type SqlRows } from './subject-key.store';

/** subject_keys in memory, answering the store's two statements. */
function fakeTable() {
  const rowsByName = new Map<string, { tenant_id: string; subject_id: string; key_id: string; wrapped_key: Buffer | null }>();
  let statements = 0;
  const rows: SqlRows = async <T>(sql: string, params: unknown[]): Promise<T[]> => {
    statements++;
    if (sql.includes('INSERT')) {
      const [tenants, subjects, kids, wrapped] = params as [string[], string[], string[], Buffer[]];
      const out: unknown[] = [];
      tenants.forEach((t, i) => {
        const k = `${t}/${subjects[i]}`;
        if (rowsByName.has(k)) return;
        rowsByName.set(k, { tenant_id: t, subject_id: subjects[i], key_id: kids[i], wrapped_key: wrapped[i] });
        out.push({ tenant_id: t, subject_id: subjects[i] });
      });
      return out as T[];
    }
    const [tenants, subjects] = params as [string[], string[]];
    return tenants.map((t, i) => rowsByName.get(`${t}/${subjects[i]}`)).filter(Boolean) as T[];
  };
  return { rows, rowsByName, statements: () => statements };
}

describe('SubjectKeyStore', () => {
  const tenantId = randomUUID();
  const cipher = new PiiCipher(randomBytes(32));

  it('should create a key for a new subject, then return the same key from the cache without a statement', async () => {
    const table = fakeTable();
    const store = new SubjectKeyStore(cipher);
    const first = await store.resolve(table.rows, [{ tenantId, subjectId: 'cust-1' }]);
    const k = SubjectKeyStore.keyOf(tenantId, 'cust-1');
    expect(first.loaded.get(k)).toEqual(first.keys.get(k));
    store.remember(first.loaded);
    const before = table.statements();
    const again = await store.resolve(table.rows, [{ tenantId, subjectId: 'cust-1' }]);
    expect(table.statements()).toBe(before);
    expect(again.keys.get(k)).toEqual(first.keys.get(k));
  });

  it('should read and unwrap the key another process created', async () => {
    const table = fakeTable();
    const created = await new SubjectKeyStore(cipher).resolve(table.rows, [{ tenantId, subjectId: 'cust-2' }]);
    const read = await new SubjectKeyStore(cipher).resolve(table.rows, [{ tenantId, subjectId: 'cust-2' }]);
    const k = SubjectKeyStore.keyOf(tenantId, 'cust-2');
    expect(read.keys.get(k)!.key.equals(created.keys.get(k)!.key)).toBe(true);
  });

  it("should give an erased subject a throwaway key under its erased key id, never cached", async () => {
    const table = fakeTable();
    const store = new SubjectKeyStore(cipher);
    await store.resolve(table.rows, [{ tenantId, subjectId: 'gone' }]);
    const row = table.rowsByName.get(`${tenantId}/gone`)!;
    row.wrapped_key = null;
    const r = await store.resolve(table.rows, [{ tenantId, subjectId: 'gone' }]);
    const k = SubjectKeyStore.keyOf(tenantId, 'gone');
    expect(r.erased.has(k)).toBe(true);
    expect(r.keys.get(k)!.keyId).toBe(row.key_id);
    expect(r.loaded.has(k)).toBe(false);
  });

  it('should forget an erased subject announced while its key was cached', async () => {
    const table = fakeTable();
    const store = new SubjectKeyStore(cipher);
    store.remember((await store.resolve(table.rows, [{ tenantId, subjectId: 'cust-3' }])).loaded);
    table.rowsByName.get(`${tenantId}/cust-3`)!.wrapped_key = null;
    store.forget(tenantId, ['cust-3']);
    expect((await store.resolve(table.rows, [{ tenantId, subjectId: 'cust-3' }])).erased.size).toBe(1);
  });

  it('should report a key wrapped under another master key as unopenable, with its id, and never hand it out', async () => {
    const table = fakeTable();
    await new SubjectKeyStore(new PiiCipher(randomBytes(32))).resolve(table.rows, [{ tenantId, subjectId: 'cust-4' }]);
    const r = await new SubjectKeyStore(cipher).resolve(table.rows, [{ tenantId, subjectId: 'cust-4' }]);
    const k = SubjectKeyStore.keyOf(tenantId, 'cust-4');
    expect(r.keys.has(k)).toBe(false);
    expect(r.unopenable.get(k)).toMatchObject({ keyId: table.rowsByName.get(`${tenantId}/cust-4`)!.key_id, error: expect.any(PiiKeyError) });
    expect(() => SubjectKeyStore.requireAll(r)).toThrow(PiiKeyError);
  });

  it('should name the keys of subject.pii and actor.ip', () => {
    expect(SubjectKeyStore.namesOf([{ tenantId, subject: { id: 's', pii: {} }, actor: { id: 'a', ip: '::1' } }, { tenantId, subject: { id: 's2' } }])).toEqual([
      { tenantId, subjectId: 's' },
      { tenantId, subjectId: 'actor:a' },
    ]);
  });
});
