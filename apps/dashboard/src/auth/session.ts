import { LedgerClient } from '../api/client';
import { ApiProblem } from '../api/problem';

export type Role = 'admin' | 'read';

/** A signed-in key. Kept in sessionStorage (this tab only, gone when it closes), never in a URL. */
export interface Session {
  key: string;
  role: Role;
  /** What is shown of the key: its scope hint and first characters. */
  label: string;
}

const STORAGE_KEY = 'agent-ledger.session';

export function loadSession(storage: Storage = window.sessionStorage): Session | undefined {
  try {
    const raw = storage.getItem(STORAGE_KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.key !== 'string' || (s.role !== 'admin' && s.role !== 'read')) return undefined;
    return { key: s.key, role: s.role, label: typeof s.label === 'string' ? s.label : keyLabel(s.key) };
  } catch {
    return undefined;
  }
}

export function saveSession(s: Session, storage: Storage = window.sessionStorage): void {
  storage.setItem(STORAGE_KEY, JSON.stringify(s));
}

export function clearSession(storage: Storage = window.sessionStorage): void {
  storage.removeItem(STORAGE_KEY);
}

/** "alk_read_AbC123…" — the scope hint and 6 characters, as the API's key lists show keys. */
export function keyLabel(key: string): string {
  const m = /^(alk_[a-z]+_)(.{6})/.exec(key);
  return m ? `${m[1]}${m[2]}…` : `${key.slice(0, 4)}…`;
}

/**
 * Checks a key against the API: it must read (GET /v1/actions); it is an admin key when it may
 * also read the admin-only channel settings (GET /v1/channels answers 200, not 403).
 */
export async function signIn(rawKey: string, signal?: AbortSignal): Promise<Session> {
  const key = rawKey.trim();
  if (!key) throw new ApiProblem({ status: 0, code: 'missing_key', message: 'enter an API key', field: 'key' });
  if (/\s/.test(key)) throw new ApiProblem({ status: 0, code: 'malformed_key', message: 'an API key has no spaces in it', field: 'key' });
  const client = new LedgerClient(key);
  await client.get('/v1/actions', { limit: 1 }, signal);
  let role: Role = 'read';
  try {
    await client.get('/v1/channels', undefined, signal);
    role = 'admin';
  } catch (err) {
    if (!(err instanceof ApiProblem)) throw err;
    // 403: a read key. Anything else (the endpoint missing): fall back to the key's scope hint.
    if (err.status !== 403 && key.startsWith('alk_admin_')) role = 'admin';
  }
  return { key, role, label: keyLabel(key) };
}
