import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { describeWrap, MasterKeyring, masterKeyId, PiiCipher, webhookSecretKeyId, webhookSecretWrapper } from '@agent-ledger/integrity';
import { ScratchDatabase } from '@agent-ledger/testing';
import { createLedgerDataSource, runMigrations, type DataSource } from '../index';
import { rewrapSubjectKeys, rewrapWebhookSecrets, wrapCensus } from './key-rewrap';

/** A subject key wrapped as before keys per purpose: format 1, AES-256-GCM under the master key itself. */
function formatOneWrap(master: Buffer, secret: Buffer, tenantId: string, name: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(Buffer.from(`agent-ledger/dek/v1|${tenantId}|${name}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(secret), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), Buffer.from(masterKeyId(master), 'hex'), iv, cipher.getAuthTag(), ct]);
}

// The rewrap works on whole tables: it runs on a database of its own, never on the shared test database.
describe('keys rewrap against the real PostgreSQL', () => {
  const db = new ScratchDatabase('agent_ledger_keys');
  let ds: DataSource;
  const tenantId = randomUUID();
  const oldMaster = randomBytes(32);
  const newMaster = randomBytes(32);
  const keyring = new MasterKeyring(newMaster, [oldMaster]);
  const secrets = new Map<string, Buffer>();

  beforeAll(async () => {
    await db.create();
    ds = createLedgerDataSource({ url: db.url, poolSize: 2 });
    await ds.initialize();
    await runMigrations(ds);
    await ds.query(`INSERT INTO tenants (id, name) VALUES ($1, $2)`, [tenantId, `keys-${tenantId}`]);
    // 7 subject keys: 3 of format 1, 3 of format 2 under the old master key, 1 erased.
    for (let i = 0; i < 7; i++) {
      const keyId = randomUUID();
      const key = randomBytes(32);
      secrets.set(keyId, key);
      const wrapped = i === 6 ? null : i < 3 ? formatOneWrap(oldMaster, key, tenantId, keyId) : new PiiCipher(oldMaster).wrapDataKey(key, tenantId, keyId);
      await ds.query(`INSERT INTO subject_keys (tenant_id, subject_id, key_id, wrapped_key) VALUES ($1, $2, $3, $4)`, [tenantId, `s-${i}`, keyId, wrapped]);
    }
    // 2 webhook endpoints: one with a secret in rotation (format 1 previous), one plain.
    for (const [position, withPrevious] of [[0, true], [1, false]] as const) {
      const id = randomUUID();
      const current = randomBytes(32);
      const previous = randomBytes(32);
      secrets.set(webhookSecretKeyId(id, 2), current);
      secrets.set(webhookSecretKeyId(id, 1), previous);
      await ds.query(
        `INSERT INTO webhook_endpoints (id, tenant_id, position, url, format, secret_version, secret_wrapped, previous_secret_version, previous_secret_wrapped, previous_secret_expires_at)
         VALUES ($1, $2, $3, 'https://example.com/hook', 'standard', 2, $4, $5, $6, $7)`,
        [
          id,
          tenantId,
          position,
          webhookSecretWrapper(oldMaster).wrap(current, tenantId, webhookSecretKeyId(id, 2)),
          withPrevious ? 1 : null,
          withPrevious ? formatOneWrap(oldMaster, previous, tenantId, webhookSecretKeyId(id, 1)) : null,
          withPrevious ? new Date(Date.now() + 3_600_000) : null,
        ],
      );
    }
  });

  afterAll(async () => {
    await ds?.destroy();
    await db.drop();
  });

  it('should rewrap every subject key and webhook secret under the new master key, keeping each secret, when run in small batches', async () => {
    const subjects = await rewrapSubjectKeys(ds, new PiiCipher(keyring), 2);
    const webhooks = await rewrapWebhookSecrets(ds, webhookSecretWrapper(keyring), 1);

    expect(subjects).toEqual({ rewrapped: 6, alreadyCurrent: 0, changedMeanwhile: 0, failed: [] });
    expect(webhooks).toEqual({ rewrapped: 2, alreadyCurrent: 0, changedMeanwhile: 0, failed: [] });
    const onlyNew = new PiiCipher(newMaster);
    const keys: { keyId: string; wrapped: Buffer | null }[] = await ds.query(`SELECT key_id AS "keyId", wrapped_key AS wrapped FROM subject_keys`);
    for (const k of keys.filter((r) => r.wrapped)) {
      expect(describeWrap(k.wrapped!)).toEqual({ format: 2, masterKeyId: masterKeyId(newMaster) });
      expect(onlyNew.unwrapDataKey(k.wrapped!, tenantId, k.keyId).equals(secrets.get(k.keyId)!)).toBe(true);
    }
    expect(keys.filter((r) => !r.wrapped)).toHaveLength(1);
    const hooks: { id: string; w: Buffer; p: Buffer | null }[] = await ds.query(`SELECT id, secret_wrapped AS w, previous_secret_wrapped AS p FROM webhook_endpoints`);
    for (const h of hooks) {
      expect(webhookSecretWrapper(newMaster).unwrap(h.w, tenantId, webhookSecretKeyId(h.id, 2)).equals(secrets.get(webhookSecretKeyId(h.id, 2))!)).toBe(true);
      if (h.p) expect(webhookSecretWrapper(newMaster).unwrap(h.p, tenantId, webhookSecretKeyId(h.id, 1)).equals(secrets.get(webhookSecretKeyId(h.id, 1))!)).toBe(true);
    }
    expect((await wrapCensus(ds)).map((c) => c.masterKeyId)).toEqual([masterKeyId(newMaster), masterKeyId(newMaster), masterKeyId(newMaster)]);
  });

  it('should change nothing when run again (idempotent)', async () => {
    const before = await ds.query(`SELECT key_id, wrapped_key FROM subject_keys ORDER BY key_id`);

    expect(await rewrapSubjectKeys(ds, new PiiCipher(keyring))).toEqual({ rewrapped: 0, alreadyCurrent: 6, changedMeanwhile: 0, failed: [] });
    expect(await rewrapWebhookSecrets(ds, webhookSecretWrapper(keyring))).toEqual({ rewrapped: 0, alreadyCurrent: 2, changedMeanwhile: 0, failed: [] });
    expect(await ds.query(`SELECT key_id, wrapped_key FROM subject_keys ORDER BY key_id`)).toEqual(before);
  });

  it('should name the keys no configured master key opens and leave them as they are', async () => {
    const stranger = randomBytes(32);
    const keyId = randomUUID();
    const wrapped = new PiiCipher(stranger).wrapDataKey(randomBytes(32), tenantId, keyId);
    await ds.query(`INSERT INTO subject_keys (tenant_id, subject_id, key_id, wrapped_key) VALUES ($1, 's-stranger', $2, $3)`, [tenantId, keyId, wrapped]);

    expect(await rewrapSubjectKeys(ds, new PiiCipher(keyring))).toEqual({ rewrapped: 0, alreadyCurrent: 6, changedMeanwhile: 0, failed: [keyId] });
    const [row] = await ds.query(`SELECT wrapped_key AS w FROM subject_keys WHERE key_id = $1`, [keyId]);
    expect(row.w.equals(wrapped)).toBe(true);
  });
});
