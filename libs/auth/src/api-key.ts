import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyScope } from '@agent-ledger/persistence';

export const API_KEY_PREFIX = 'alk_';
/** `alk_<scope hint>_<32 random bytes, base64url: 43 characters (which may include "_")>`. */
const KEY_SHAPE = /^alk_(ingest|read|admin|multi)_([A-Za-z0-9_-]{43})$/;

/** A newly generated key: the raw value is shown once and never stored. */
export interface GeneratedApiKey {
  raw: string;
  hash: Buffer;
  prefix: string;
}

/**
 * `alk_<scope>_<43 base64url chars>`: 256 random bits, so a fast SHA-256 is a safe digest (no
 * dictionary to attack) and lets a lookup by hash hit a unique index. The scope in the key is a
 * hint for humans reading a config file; the stored scopes are what count.
 */
export function generateApiKey(scopeHint: ApiKeyScope | 'multi'): GeneratedApiKey {
  const raw = `${API_KEY_PREFIX}${scopeHint}_${randomBytes(32).toString('base64url')}`;
  return { raw, hash: hashApiKey(raw), prefix: displayPrefix(raw) };
}

export function hashApiKey(raw: string): Buffer {
  return createHash('sha256').update(raw, 'utf8').digest();
}

/** What operators see to tell keys apart: the scope hint and the first 6 random characters. */
export function displayPrefix(raw: string): string {
  const m = KEY_SHAPE.exec(raw);
  if (!m) throw new Error('not an API key');
  return `${API_KEY_PREFIX}${m[1]}_${m[2].slice(0, 6)}`;
}

/** Whether a presented value has the shape of one of our keys (cheap check before a lookup). */
export function looksLikeApiKey(raw: string): boolean {
  return KEY_SHAPE.test(raw);
}

/** Extracts the token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value);
  return m?.[1];
}

/** The alternative header an API key may be sent in (`X-API-Key: <key>`); Node lowercases header names. */
export const API_KEY_HEADER = 'x-api-key';

export type PresentedKey = { ok: true; token: string | undefined } | { ok: false; code: 'conflicting_api_keys'; message: string };

/**
 * The key a request presents: `Authorization: Bearer <key>` or `X-API-Key: <key>`. Both may be sent
 * when they hold the same key; two different keys are refused (which one was meant cannot be told).
 * An `Authorization` header of another scheme (e.g. `Basic`, added by a proxy) is not a key.
 */
export function presentedApiKey(headers: Record<string, string | string[] | undefined>): PresentedKey {
  const bearer = bearerToken(headers.authorization);
  const raw = headers[API_KEY_HEADER];
  const header = (Array.isArray(raw) ? raw[0] : raw)?.trim() || undefined;
  if (bearer && header && bearer !== header) {
    return { ok: false, code: 'conflicting_api_keys', message: 'the request sends two different keys (Authorization: Bearer and X-API-Key); send one, or the same key in both' };
  }
  return { ok: true, token: bearer ?? header };
}

/** Constant-time comparison of two secrets of any length (compares their digests). */
export function secretsEqual(a: string, b: string): boolean {
  return timingSafeEqual(hashApiKey(a), hashApiKey(b));
}
