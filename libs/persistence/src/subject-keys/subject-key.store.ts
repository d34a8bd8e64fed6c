import { randomBytes } from 'node:crypto';
import { PiiKeyError, piiKeyNames, type DataKey, type PiiCipher } from '@agent-ledger/integrity';
import { SubjectKeyCache } from './subject-key.cache';

/** Runs one SQL statement and returns its rows: a data source (autocommit) or a transaction's connection. */
export type SqlRows = <T>(sql: string, params: unknown[]) => Promise<T[]>;

/** One data key's owner: a subject (`subject.pii`) or an actor (`actor:<id>`, for `actor.ip`) of a tenant. */
export interface SubjectKeyName {
  tenantId: string;
  subjectId: string;
}

export interface ResolvedSubjectKeys {
  /** Data key per {@link SubjectKeyStore.keyOf}. An erased subject's is a throwaway key under its erased key id. */
  keys: Map<string, DataKey>;
  /** Which of `keys` belong to erased subjects (PII encrypted with them is shredded on arrival). */
  erased: Set<string>;
  /**
   * Keys this process cannot unwrap (wrapped under a master key it does not hold, or altered): their
   * id and why. Not in `keys`: nothing may be encrypted for them here (see {@link SubjectKeyStore.requireAll}).
   */
  unopenable: Map<string, { keyId: string; error: PiiKeyError }>;
  /** Keys created or read by this call: pass to {@link SubjectKeyStore.remember} once they are committed. */
  loaded: Map<string, DataKey>;
}

/** A subject's row vanished between the insert and the read (cannot happen unless rows are deleted): retry. */
export class SubjectKeyRaceError extends Error {
  override name = 'SubjectKeyRaceError';
}

export interface SubjectKeyStoreOptions {
  /** Unwrapped keys kept in memory (LRU). */
  maxEntries?: number;
  /** How long an unwrapped key is used without reading `subject_keys` again. */
  ttlMs?: number;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Get-or-create of the per-subject data keys in `subject_keys` (docs/privacy.md), shared by ingest
 * (which encrypts PII before publishing) and the projector (which encrypts PII of direct Kafka
 * producers). A new subject gets a random key, stored wrapped by the master key; a known subject's
 * key is read and unwrapped; an erased subject (wrapped key deleted) gets a random key that is never
 * stored, under its erased key id, so its new PII is unreadable from the start. Unwrapped keys are
 * cached (bounded, short TTL); an erasure evicts them ({@link forget}).
 */
export class SubjectKeyStore {
  private readonly cache: SubjectKeyCache;

  constructor(
    private readonly cipher: PiiCipher,
    options: SubjectKeyStoreOptions = {},
  ) {
    this.cache = new SubjectKeyCache(options.maxEntries, options.ttlMs);
  }

  static keyOf(tenantId: string, subjectId: string): string {
    return SubjectKeyCache.keyOf(tenantId, subjectId);
  }

  /** The keys the events' PII needs (`subject.pii` under the subject's, `actor.ip` under the actor's). */
  static namesOf(events: readonly { tenantId: string; subject?: { id: string; pii?: unknown }; actor?: { id: string; ip?: unknown } }[]): SubjectKeyName[] {
    const out = new Map<string, SubjectKeyName>();
    for (const e of events) {
      const names = piiKeyNames(e);
      for (const subjectId of [names.subject, names.actor]) {
        if (subjectId !== undefined) out.set(SubjectKeyStore.keyOf(e.tenantId, subjectId), { tenantId: e.tenantId, subjectId });
      }
    }
    return [...out.values()];
  }

  /** The keys for one event's PII fields, from a {@link resolve} answer. */
  static keysFor(event: { tenantId: string; subject?: { id: string; pii?: unknown }; actor?: { id: string; ip?: unknown } }, keys: Map<string, DataKey>): { subject?: DataKey; actor?: DataKey } {
    const names = piiKeyNames(event);
    return {
      subject: names.subject === undefined ? undefined : keys.get(SubjectKeyStore.keyOf(event.tenantId, names.subject)),
      actor: names.actor === undefined ? undefined : keys.get(SubjectKeyStore.keyOf(event.tenantId, names.actor)),
    };
  }

  /**
   * The data key of each name: from the cache, else created or read through `rows` (one INSERT …
   * ON CONFLICT DO NOTHING and, for subjects that had a key, one SELECT). Nothing is cached by this
   * call: a caller inside a transaction calls {@link remember} after its commit.
   * A stored key that does not unwrap is reported in `unopenable` (never encrypt without it).
   * @throws SubjectKeyRaceError when a row vanished meanwhile (retry)
   */
  async resolve(rows: SqlRows, needed: readonly SubjectKeyName[]): Promise<ResolvedSubjectKeys> {
    const out: ResolvedSubjectKeys = { keys: new Map(), erased: new Set(), unopenable: new Map(), loaded: new Map() };
    const missing: SubjectKeyName[] = [];
    for (const n of needed) {
      const k = SubjectKeyStore.keyOf(n.tenantId, n.subjectId);
      const cached = this.cache.get(k);
      if (cached) out.keys.set(k, cached);
      else if (!out.keys.has(k)) missing.push(n);
    }
    if (!missing.length) return out;

    const candidates = missing
      .map((m) => ({ ...m, ...this.cipher.generateDataKey(m.tenantId) }))
      .sort((a, b) => cmp(a.tenantId, b.tenantId) || cmp(a.subjectId, b.subjectId));
    // Sorted, so concurrent writers lock the unique index entries in the same order.
    const inserted = await rows<{ tenant_id: string; subject_id: string }>(
      `INSERT INTO subject_keys (tenant_id, subject_id, key_id, wrapped_key)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::bytea[])
       ON CONFLICT (tenant_id, subject_id) DO NOTHING
       RETURNING tenant_id::text AS tenant_id, subject_id`,
      [candidates.map((c) => c.tenantId), candidates.map((c) => c.subjectId), candidates.map((c) => c.keyId), candidates.map((c) => c.wrappedKey)],
    );
    const created = new Set(inserted.map((r) => SubjectKeyStore.keyOf(r.tenant_id, r.subject_id)));
    const existing: SubjectKeyName[] = [];
    for (const c of candidates) {
      const k = SubjectKeyStore.keyOf(c.tenantId, c.subjectId);
      if (!created.has(k)) {
        existing.push(c);
        continue;
      }
      const key = { keyId: c.keyId, key: c.key };
      out.keys.set(k, key);
      out.loaded.set(k, key);
    }
    if (!existing.length) return out;

    const found = await rows<{ tenant_id: string; subject_id: string; key_id: string; wrapped_key: Buffer | null }>(
      `SELECT s.tenant_id::text AS tenant_id, s.subject_id, s.key_id::text AS key_id, s.wrapped_key
         FROM subject_keys s
         JOIN unnest($1::uuid[], $2::text[]) AS u(tenant_id, subject_id) ON s.tenant_id = u.tenant_id AND s.subject_id = u.subject_id`,
      [existing.map((k) => k.tenantId), existing.map((k) => k.subjectId)],
    );
    for (const r of found) {
      const k = SubjectKeyStore.keyOf(r.tenant_id, r.subject_id);
      if (r.wrapped_key === null) {
        out.keys.set(k, { keyId: r.key_id, key: randomBytes(32) });
        out.erased.add(k);
        continue;
      }
      try {
        const key = { keyId: r.key_id, key: this.cipher.unwrapDataKey(r.wrapped_key, r.tenant_id, r.key_id) };
        out.keys.set(k, key);
        out.loaded.set(k, key);
      } catch (err) {
        if (!(err instanceof PiiKeyError)) throw err;
        out.unopenable.set(k, { keyId: r.key_id, error: err });
      }
    }
    for (const e of existing) {
      const k = SubjectKeyStore.keyOf(e.tenantId, e.subjectId);
      if (!out.keys.has(k) && !out.unopenable.has(k)) {
        throw new SubjectKeyRaceError(`subject key of tenant ${e.tenantId} disappeared while it was read; retry`);
      }
    }
    return out;
  }

  /**
   * Throws the first unwrap failure of a {@link resolve} answer: for callers that must encrypt with
   * every key they asked for (PII is never stored or published unencrypted).
   */
  static requireAll(resolved: ResolvedSubjectKeys): void {
    const first = resolved.unopenable.values().next();
    if (!first.done) throw first.value.error;
  }

  /** Caches keys a {@link resolve} created or read, once they are committed. */
  remember(loaded: Map<string, DataKey>): void {
    for (const [k, key] of loaded) this.cache.set(k, key);
  }

  /** Evicts the keys of erased subjects (an erasure announcement). */
  forget(tenantId: string, subjectIds: readonly string[]): void {
    for (const s of subjectIds) this.cache.delete(SubjectKeyStore.keyOf(tenantId, s));
  }

  get cachedKeys(): number {
    return this.cache.size;
  }
}
