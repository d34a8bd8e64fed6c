import type { DataKey } from '@agent-ledger/integrity';

/**
 * Unwrapped subject data keys of recently seen subjects (a bounded LRU with a TTL), so a steady
 * stream of the same subjects costs no key reads. Entries expire after `ttlMs`; an erasure is also
 * announced to every process that caches keys ({@link SubjectKeyStore.forget}), so the TTL only
 * bounds a missed announcement. PII encrypted meanwhile is under the erased key id, so it is
 * unreadable as well.
 */
export class SubjectKeyCache {
  private readonly entries = new Map<string, { key: DataKey; expiresAt: number }>();

  constructor(
    private readonly maxEntries = 20_000,
    private readonly ttlMs = 60_000,
  ) {}

  static keyOf(tenantId: string, subjectId: string): string {
    return `${tenantId}\u0000${subjectId}`;
  }

  get(cacheKey: string, now = Date.now()): DataKey | undefined {
    const e = this.entries.get(cacheKey);
    if (!e) return undefined;
    if (e.expiresAt <= now) {
      this.entries.delete(cacheKey);
      return undefined;
    }
    // Most recently used last: the oldest entry is the first to go.
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, e);
    return e.key;
  }

  set(cacheKey: string, key: DataKey, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, { key, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(cacheKey: string): void {
    this.entries.delete(cacheKey);
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }
}
