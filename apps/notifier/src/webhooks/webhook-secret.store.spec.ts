import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { masterKeyId, PiiCipher, webhookSecretKeyId, webhookSecretWrapper } from '@agent-ledger/integrity';
import type { NotifierConfig } from '../config/notifier.config';
import type { WebhookEndpointRow } from '../delivery/deliveries.repository';
import { MissingMasterKeyError, WebhookSecretStore } from './webhook-secret.store';

const tenantId = randomUUID();

/** A secret wrapped as before keys per purpose (format 1: under the master key itself). */
function formatOneWrap(master: Buffer, secret: Buffer, name: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master, iv);
  cipher.setAAD(Buffer.from(`agent-ledger/dek/v1|${tenantId}|${name}`, 'utf8'));
  const ct = Buffer.concat([cipher.update(secret), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), Buffer.from(masterKeyId(master), 'hex'), iv, cipher.getAuthTag(), ct]);
}

const store = (master?: Buffer, previous?: Buffer[]) =>
  new WebhookSecretStore({ LEDGER_MASTER_KEY: master, LEDGER_PREVIOUS_MASTER_KEYS: previous } as NotifierConfig);

function endpoint(wraps: Pick<WebhookEndpointRow, 'id' | 'secretWrapped'> & Partial<WebhookEndpointRow>): WebhookEndpointRow {
  return {
    tenantId,
    url: 'https://example.com/hook',
    format: 'standard',
    filter: {} as WebhookEndpointRow['filter'],
    enabled: true,
    secretVersion: 2,
    previousSecretVersion: null,
    previousSecretWrapped: null,
    previousSecretExpiresAt: null,
    failingSince: null,
    ...wraps,
  };
}

describe(WebhookSecretStore.name, () => {
  const oldMaster = randomBytes(32);
  const newMaster = randomBytes(32);
  const id = randomUUID();
  const current = randomBytes(32);
  const previous = randomBytes(32);

  it('should open a secret wrapped under a previous master key and a format-1 previous secret when both keys are configured', () => {
    const row = endpoint({
      id,
      secretWrapped: webhookSecretWrapper(newMaster).wrap(current, tenantId, webhookSecretKeyId(id, 2)),
      previousSecretVersion: 1,
      previousSecretWrapped: formatOneWrap(oldMaster, previous, webhookSecretKeyId(id, 1)),
      previousSecretExpiresAt: new Date(Date.now() + 60_000),
    });

    const secrets = store(newMaster, [oldMaster]).signingSecrets(row);

    expect(secrets.map((s) => s.toString('hex'))).toEqual([current.toString('hex'), previous.toString('hex')]);
  });

  it('should not open a subject key wrap as a webhook secret when the purposes differ', () => {
    const row = endpoint({ id, secretWrapped: new PiiCipher(newMaster).wrapDataKey(current, tenantId, webhookSecretKeyId(id, 2)) });

    expect(() => store(newMaster).signingSecrets(row)).toThrow(/does not authenticate/);
  });

  it('should name the missing master key when none is configured', () => {
    const row = endpoint({ id, secretWrapped: webhookSecretWrapper(newMaster).wrap(current, tenantId, webhookSecretKeyId(id, 2)) });

    expect(() => store().signingSecrets(row)).toThrow(MissingMasterKeyError);
  });
});
