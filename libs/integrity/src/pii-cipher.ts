import { createCipheriv, createDecipheriv, randomBytes, randomUUID } from 'node:crypto';
import { canonicalJson } from '@agent-ledger/contracts';
import { storableText } from './derived-columns';
import { KEY_PURPOSES, type MasterKeyring } from './key-derivation';
import { KeyWrapper, PiiKeyError } from './key-wrapper';

export { PiiKeyError };

const IV_BYTES = 12;
const KEY_BYTES = 32;

const dataAad = (keyId: string) => Buffer.from(`agent-ledger/pii/v1|${keyId}`, 'utf8');

/**
 * Envelope encryption of PII (docs/write-path.md, "Privacy"): each data subject has a random 256-bit
 * data key; the key is stored wrapped (AES-256-GCM) under the key derived from the master key for
 * subject keys (docs/keys.md); PII values are encrypted
 * with the data key (AES-256-GCM) and stored as an envelope object inside the event JSON, so the
 * hash chain covers the ciphertext. Erasing a subject deletes its wrapped key: its envelopes become
 * unreadable (they read as {@link ERASED_PII}) while the chains still verify.
 */

/** Format tag of {@link PiiEnvelope}. */
export const PII_ENVELOPE_VERSION = 'v1';

/** An encrypted value as it stands inside the stored event JSON. All binary fields are base64. */
export interface PiiEnvelope {
  $enc: typeof PII_ENVELOPE_VERSION;
  /** `subject_keys.key_id` of the data key. */
  kid: string;
  iv: string;
  ct: string;
  tag: string;
}

/** What readers see in place of PII whose subject key was erased. */
export const ERASED_PII: Readonly<{ $erased: true }> = Object.freeze({ $erased: true });

/** A data key in clear (only ever in memory). */
export interface DataKey {
  keyId: string;
  key: Buffer;
}

/** A new data key and its wrapped form for `subject_keys.wrapped_key`. */
export interface GeneratedDataKey extends DataKey {
  wrappedKey: Buffer;
}

/**
 * Wraps and unwraps subjects' data keys under the master keyring, with the key derived for
 * subject keys ({@link KEY_PURPOSES}.subjectKeys; format and rotation in {@link KeyWrapper}).
 */
export class PiiCipher extends KeyWrapper {
  constructor(keys: Buffer | MasterKeyring) {
    super(keys, KEY_PURPOSES.subjectKeys);
  }

  /** A fresh random data key for one subject of one tenant, with its wrapped form. */
  generateDataKey(tenantId: string, keyId: string = randomUUID()): GeneratedDataKey {
    const key = randomBytes(KEY_BYTES);
    return { keyId, key, wrappedKey: this.wrapDataKey(key, tenantId, keyId) };
  }

  /** Wraps a data key; the tenant and key id are authenticated, so a wrapped key copied onto another row does not unwrap. */
  wrapDataKey(key: Buffer, tenantId: string, keyId: string): Buffer {
    return this.wrap(key, tenantId, keyId);
  }

  /** Unwraps a data key; throws {@link PiiKeyError} naming the cause (unknown master key, tampering). */
  unwrapDataKey(wrapped: Buffer, tenantId: string, keyId: string): Buffer {
    return this.unwrap(wrapped, tenantId, keyId);
  }
}

/** Encrypts any JSON value (its canonical JSON, UTF-8) under a data key. */
export function encryptPii(value: unknown, dataKey: DataKey): PiiEnvelope {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey.key, iv);
  cipher.setAAD(dataAad(dataKey.keyId));
  const ct = Buffer.concat([cipher.update(canonicalJson(value), 'utf8'), cipher.final()]);
  return { $enc: PII_ENVELOPE_VERSION, kid: dataKey.keyId, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: cipher.getAuthTag().toString('base64') };
}

/** Decrypts an envelope with its (unwrapped) data key; throws when the ciphertext does not authenticate. */
export function decryptPii(envelope: PiiEnvelope, key: Buffer): unknown {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(envelope.iv, 'base64'));
    decipher.setAAD(dataAad(envelope.kid));
    decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
    const clear = Buffer.concat([decipher.update(Buffer.from(envelope.ct, 'base64')), decipher.final()]);
    return JSON.parse(clear.toString('utf8'));
  } catch {
    throw new PiiKeyError(`PII envelope under key ${envelope.kid} does not decrypt (wrong key or altered ciphertext)`);
  }
}

export function isPiiEnvelope(value: unknown): value is PiiEnvelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return v.$enc === PII_ENVELOPE_VERSION && typeof v.kid === 'string' && typeof v.iv === 'string' && typeof v.ct === 'string' && typeof v.tag === 'string';
}

/**
 * Names of the data keys an event's PII is encrypted with, as stored in `subject_keys.subject_id`:
 * `subject.pii` under the subject's key (`subject.id`), `actor.ip` under the actor's key
 * (`actor:` + `actor.id`), both as PostgreSQL text can hold them ({@link storableText}). Absent when
 * the event carries no such PII. A subject whose id starts with `actor:` shares the key of that actor.
 */
export function piiKeyNames(event: { subject?: { id: string; pii?: unknown }; actor?: { id: string; ip?: unknown } }): { subject?: string; actor?: string } {
  return {
    subject: event.subject && event.subject.pii !== undefined ? storableText(event.subject.id) : undefined,
    actor: event.actor && event.actor.ip !== undefined ? actorKeyName(event.actor.id) : undefined,
  };
}

/** The `subject_keys.subject_id` of an actor's key (for `actor.ip`). */
export const actorKeyName = (actorId: string): string => `actor:${storableText(actorId)}`;

/**
 * The stored form of an event: a copy with `subject.pii` and `actor.ip` replaced by envelopes under
 * the given keys (a key must be given for each PII field present). Does not mutate `event`.
 */
export function encryptEventPii<T extends object>(event: T, keys: { subject?: DataKey; actor?: DataKey }): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(event as Record<string, unknown>) };
  const subject = out.subject as Record<string, unknown> | undefined;
  if (subject && subject.pii !== undefined) {
    if (!keys.subject) throw new PiiKeyError('encryptEventPii: subject.pii present but no subject key given');
    out.subject = { ...subject, pii: encryptPii(subject.pii, keys.subject) };
  }
  const actor = out.actor as Record<string, unknown> | undefined;
  if (actor && actor.ip !== undefined) {
    if (!keys.actor) throw new PiiKeyError('encryptEventPii: actor.ip present but no actor key given');
    out.actor = { ...actor, ip: encryptPii(actor.ip, keys.actor) };
  }
  return out;
}

/**
 * For readers: a copy of a stored event with its PII envelopes (`subject.pii`, `actor.ip`) opened.
 * `resolveKey(kid)` returns the unwrapped data key, or null/undefined when the key was erased —
 * the value then reads as {@link ERASED_PII}.
 */
export function revealEventPii(stored: Record<string, unknown>, resolveKey: (keyId: string) => Buffer | null | undefined): Record<string, unknown> {
  const open = (v: unknown): unknown => {
    if (!isPiiEnvelope(v)) return v;
    const key = resolveKey(v.kid);
    return key ? decryptPii(v, key) : { ...ERASED_PII };
  };
  const out: Record<string, unknown> = { ...stored };
  const subject = out.subject as Record<string, unknown> | undefined;
  if (subject && typeof subject === 'object' && 'pii' in subject) out.subject = { ...subject, pii: open(subject.pii) };
  const actor = out.actor as Record<string, unknown> | undefined;
  if (actor && typeof actor === 'object' && 'ip' in actor) out.actor = { ...actor, ip: open(actor.ip) };
  return out;
}

/** The key ids an event's envelopes reference (to fetch them in one query before revealing). */
export function piiKeyIds(stored: Record<string, unknown>): string[] {
  const ids: string[] = [];
  const subject = stored.subject as Record<string, unknown> | undefined;
  if (subject && isPiiEnvelope(subject.pii)) ids.push(subject.pii.kid);
  const actor = stored.actor as Record<string, unknown> | undefined;
  if (actor && isPiiEnvelope(actor.ip)) ids.push(actor.ip.kid);
  return ids;
}
