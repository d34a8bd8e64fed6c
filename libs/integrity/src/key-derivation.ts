import { createHash, hkdfSync } from 'node:crypto';

/**
 * Keys per purpose (docs/keys.md): the master key (`LEDGER_MASTER_KEY`) never encrypts anything
 * itself; each purpose uses its own key, derived with HKDF-SHA256 (RFC 5869, empty salt — the master
 * key is uniformly random) and the purpose's info string. A key derived for one purpose opens
 * nothing of another.
 */
export const KEY_PURPOSES = {
  /** Wraps the per-subject data keys (`subject_keys.wrapped_key`). */
  subjectKeys: 'agent-ledger/subject-keys/v1',
  /** Wraps the webhook signing secrets (`webhook_endpoints.secret_wrapped`, `previous_secret_wrapped`). */
  webhookSecrets: 'agent-ledger/webhook-secrets/v1',
} as const;
export type KeyPurpose = (typeof KEY_PURPOSES)[keyof typeof KEY_PURPOSES];

export const MASTER_KEY_BYTES = 32;
export const MASTER_KEY_ID_BYTES = 8;

/** The key of one purpose: HKDF-SHA256(master key, salt = empty, info = purpose), 32 bytes. */
export function deriveKey(masterKey: Buffer, purpose: KeyPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), purpose, MASTER_KEY_BYTES));
}

/** The 8-byte id of a master key recorded in every wrap (a hash; reveals nothing of the key). */
export function masterKeyIdBytes(masterKey: Buffer): Buffer {
  return createHash('sha256').update('agent-ledger master key id|').update(masterKey).digest().subarray(0, MASTER_KEY_ID_BYTES);
}

export const masterKeyId = (masterKey: Buffer): string => masterKeyIdBytes(masterKey).toString('hex');

/**
 * The master keys a process holds: the current one (`LEDGER_MASTER_KEY`), which wraps, and the
 * previous ones (`LEDGER_PREVIOUS_MASTER_KEYS`), which still unwrap until `keys rewrap` moved every
 * wrap to the current key. Key material stays inside this object.
 */
export class MasterKeyring {
  /** Hex id of the current master key. */
  readonly currentId: string;
  readonly #keys = new Map<string, Buffer>();
  readonly #derived = new Map<string, Buffer>();

  constructor(current: Buffer, previous: readonly Buffer[] = []) {
    for (const key of [current, ...previous]) {
      if (key.length !== MASTER_KEY_BYTES) throw new RangeError(`master key must be ${MASTER_KEY_BYTES} bytes (is ${key.length})`);
      const id = masterKeyId(key);
      if (!this.#keys.has(id)) this.#keys.set(id, Buffer.from(key));
    }
    this.currentId = masterKeyId(current);
  }

  /** A keyring of one key, or the keyring itself. */
  static of(keys: Buffer | MasterKeyring): MasterKeyring {
    return keys instanceof MasterKeyring ? keys : new MasterKeyring(keys);
  }

  /** Ids of every key held, the current one first. */
  get ids(): string[] {
    return [...this.#keys.keys()];
  }

  has(id: string): boolean {
    return this.#keys.has(id);
  }

  /** The master key itself (only to open wraps of format 1, made before keys per purpose). */
  rawKey(id: string): Buffer | undefined {
    return this.#keys.get(id);
  }

  /** The key of `purpose` derived from master key `id` (cached). */
  derivedKey(id: string, purpose: KeyPurpose): Buffer | undefined {
    const master = this.#keys.get(id);
    if (!master) return undefined;
    const cacheKey = `${id}|${purpose}`;
    let key = this.#derived.get(cacheKey);
    if (!key) this.#derived.set(cacheKey, (key = deriveKey(master, purpose)));
    return key;
  }
}
