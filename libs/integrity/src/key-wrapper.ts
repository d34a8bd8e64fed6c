import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { KEY_PURPOSES, MASTER_KEY_ID_BYTES, MasterKeyring, type KeyPurpose } from './key-derivation';

/** A wrapped key that does not open: another master key, another row or purpose, or altered bytes. */
export class PiiKeyError extends Error {
  override name = 'PiiKeyError';
}

/**
 * Formats of a wrapped key (docs/keys.md). Both: format(1) ‖ master key id(8) ‖ iv(12) ‖ tag(16) ‖ key(32),
 * AES-256-GCM with the tenant and the key's name authenticated.
 * - 1: under the master key itself (before keys per purpose); still opens, `keys rewrap` replaces it.
 * - 2: under the purpose's key derived from the master key (HKDF); the 9-byte header is authenticated too.
 */
export const WRAP_FORMATS = { masterKey: 1, derivedKey: 2 } as const;
const CURRENT_FORMAT = WRAP_FORMATS.derivedKey;
const HEADER_BYTES = 1 + MASTER_KEY_ID_BYTES;
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const WRAPPED_SECRET_BYTES = 32;
const WRAPPED_BYTES = HEADER_BYTES + IV_BYTES + TAG_BYTES + WRAPPED_SECRET_BYTES;

const nameAad = (tenantId: string, name: string) => Buffer.from(`agent-ledger/dek/v1|${tenantId}|${name}`, 'utf8');

/** What a wrap records about how it was made. */
export interface WrapInfo {
  format: number;
  masterKeyId: string;
}

/** Reads the header of a wrapped key; undefined when it is not a wrapped key of a known format. */
export function describeWrap(wrapped: Buffer): WrapInfo | undefined {
  if (wrapped.length !== WRAPPED_BYTES || !Object.values<number>(WRAP_FORMATS).includes(wrapped[0]!)) return undefined;
  return { format: wrapped[0]!, masterKeyId: wrapped.subarray(1, HEADER_BYTES).toString('hex') };
}

/**
 * Wraps and unwraps 32-byte secrets of one purpose under the master keyring: wraps with the current
 * master key's derived key (format 2); unwraps format 2 and format 1 under any key of the keyring.
 */
export class KeyWrapper {
  protected readonly keyring: MasterKeyring;

  constructor(keys: Buffer | MasterKeyring, readonly purpose: KeyPurpose) {
    this.keyring = MasterKeyring.of(keys);
  }

  /** Hex id of the master key new wraps are made under. */
  get masterKeyId(): string {
    return this.keyring.currentId;
  }

  /** AES-256-GCM wrap; `name` (the key's id or the secret's name) and the tenant are authenticated. */
  wrap(secret: Buffer, tenantId: string, name: string): Buffer {
    if (secret.length !== WRAPPED_SECRET_BYTES) throw new RangeError(`a wrapped secret must be ${WRAPPED_SECRET_BYTES} bytes`);
    const header = Buffer.concat([Buffer.from([CURRENT_FORMAT]), Buffer.from(this.keyring.currentId, 'hex')]);
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keyring.derivedKey(this.keyring.currentId, this.purpose)!, iv);
    cipher.setAAD(Buffer.concat([header, nameAad(tenantId, name)]));
    const ct = Buffer.concat([cipher.update(secret), cipher.final()]);
    return Buffer.concat([header, iv, cipher.getAuthTag(), ct]);
  }

  /** Opens a wrap of either format under any master key held; throws {@link PiiKeyError} naming the cause. */
  unwrap(wrapped: Buffer, tenantId: string, name: string): Buffer {
    const info = describeWrap(wrapped);
    if (!info) throw new PiiKeyError(`wrapped key ${name} has an unknown format`);
    if (!this.keyring.has(info.masterKeyId)) {
      throw new PiiKeyError(`wrapped key ${name} was wrapped by master key ${info.masterKeyId}, which is neither the configured master key ${this.keyring.currentId} nor a previous one`);
    }
    const derived = info.format === WRAP_FORMATS.derivedKey;
    const key = derived ? this.keyring.derivedKey(info.masterKeyId, this.purpose)! : this.keyring.rawKey(info.masterKeyId)!;
    const aad = derived ? Buffer.concat([wrapped.subarray(0, HEADER_BYTES), nameAad(tenantId, name)]) : nameAad(tenantId, name);
    let offset = HEADER_BYTES;
    const iv = wrapped.subarray(offset, (offset += IV_BYTES));
    const tag = wrapped.subarray(offset, (offset += TAG_BYTES));
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAAD(aad);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(wrapped.subarray(offset)), decipher.final()]);
    } catch {
      throw new PiiKeyError(`wrapped key ${name} does not authenticate (altered, not wrapped for tenant ${tenantId}, or not a ${this.purpose} key)`);
    }
  }

  /** True when the wrap is in the current format under the current master key (nothing to rewrap). */
  isCurrent(wrapped: Buffer): boolean {
    const info = describeWrap(wrapped);
    return info?.format === CURRENT_FORMAT && info.masterKeyId === this.keyring.currentId;
  }

  /** The wrap re-made under the current master key and format, or undefined when it already is. */
  rewrap(wrapped: Buffer, tenantId: string, name: string): Buffer | undefined {
    if (this.isCurrent(wrapped)) return undefined;
    return this.wrap(this.unwrap(wrapped, tenantId, name), tenantId, name);
  }
}

/** The wrapper of webhook signing secrets (audit-api wraps, the notifier unwraps, `keys rewrap` re-wraps). */
export const webhookSecretWrapper = (keys: Buffer | MasterKeyring): KeyWrapper => new KeyWrapper(keys, KEY_PURPOSES.webhookSecrets);

/** Name under which webhook secret `version` of an endpoint is wrapped (authenticated with the tenant). */
export const webhookSecretKeyId = (endpointId: string, version: number): string => `webhook-secret/${endpointId}/${version}`;
