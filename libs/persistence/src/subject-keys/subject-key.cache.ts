import type { DataKey } from '@agent-ledger/integrity';

/**
 * Unwrapped subject data keys of recently seen subjects, so a steady stream of the same subjects
 * costs no key reads. Entries are added only after the transaction that created or read them has
 * committed, and expire after `ttlMs`: an erasure elsewhere takes effect here within that time (and
 * PII encrypted meanwhile is under the erased key id, so it is unreadable as well).
 */
export class SubjectKeyCache {
  private readonly entries = new Map<string, { key: DataKey; expiresAt: number }>();

  constructor(private readonly maxEntries = 20_000, private readonly ttlMs = 5 * 60_000) {}

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
    return e.key;
  }

  set(cacheKey: string, key: DataKey, now = Date.now()): void {
    this.entries.delete(cacheKey);
    this.entries.set(cacheKey, { key, expiresAt: now + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
