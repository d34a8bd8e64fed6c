import { counter } from '@agent-ledger/telemetry';

/** Thrown when the store cannot answer and no usable copy of the value is cached. */
export class LookupUnavailableException extends Error {
  constructor(
    readonly lookup: string,
    override readonly cause: unknown,
  ) {
    super(`${lookup}: the store is unavailable and no usable copy is cached`);
    this.name = 'LookupUnavailableException';
  }
}

export interface CachedLookupOptions {
  /** Names the lookup in metrics and errors (`api-key`, `tenant-redaction`). */
  name: string;
  /** How long a loaded value is served without asking the store again. */
  freshMs: number;
  /** How much longer a loaded value may be served while the store cannot be reached. */
  staleMs: number;
  /** How long an absent answer (no such key) is remembered; 0 = not at all. */
  absentMs?: number;
  /** After a failed load, how long lookups use cached copies without asking the store again. */
  retryMs?: number;
  /** A load slower than this counts as failed. */
  loadTimeoutMs?: number;
  /** Most values (and, separately, absent answers) remembered; the oldest are dropped first. */
  maxEntries?: number;
  /** The clock (tests). */
  now?: () => number;
}

interface Entry<V> {
  value: V;
  loadedAt: number;
}

const metrics = {
  stale: () => counter('ledger_cached_lookup_stale_total', 'Lookups answered from a stale copy because the store was unreachable', ['lookup']),
  unavailable: () => counter('ledger_cached_lookup_unavailable_total', 'Lookups that failed: store unreachable and no usable copy cached', ['lookup']),
  loads: () => counter('ledger_cached_lookup_loads_total', 'Lookups that asked the store, by answer (found, absent)', ['lookup', 'result']),
  absentHits: () => counter('ledger_cached_lookup_absent_hits_total', 'Lookups answered "absent" from memory (negative cache) without asking the store', ['lookup']),
};

/**
 * A read-through cache in front of a lookup in PostgreSQL that keeps a service answering while the
 * database is away. A value is served from memory for `freshMs`; after that it is loaded again, and
 * if the store cannot answer (error or `loadTimeoutMs`), the last value is served for up to
 * `staleMs` more. With no usable copy the lookup throws LookupUnavailableException (callers answer
 * 503). After a failure, lookups do not ask the store again for `retryMs` (no connection storm).
 * Concurrent loads of one key share one query. Absent answers are remembered for `absentMs` only
 * and are never served stale.
 */
export class CachedLookup<V> {
  private readonly values = new Map<string, Entry<V>>();
  private readonly absent = new Map<string, number>();
  private readonly inflight = new Map<string, Promise<V | undefined>>();
  private unavailableUntil = 0;
  private lastError: unknown;
  private generation = 0;
  private readonly now: () => number;

  constructor(
    private readonly load: (key: string) => Promise<V | undefined>,
    private readonly options: CachedLookupOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  async get(key: string): Promise<V | undefined> {
    const now = this.now();
    const entry = this.values.get(key);
    if (entry && now < entry.loadedAt + this.options.freshMs) return entry.value;
    const absentAt = this.absent.get(key);
    if (absentAt !== undefined && now < absentAt + (this.options.absentMs ?? 0)) {
      metrics.absentHits().inc({ lookup: this.options.name });
      return undefined;
    }
    if (now < this.unavailableUntil) return this.fallback(key, this.lastError);
    return this.inflight.get(key) ?? this.refresh(key);
  }

  /** The value if a fresh copy is in memory; never asks the store. */
  peek(key: string): V | undefined {
    const entry = this.values.get(key);
    return entry && this.now() < entry.loadedAt + this.options.freshMs ? entry.value : undefined;
  }

  /** Forgets every value matching (a revocation); a load under way is not cached either. */
  evictWhere(matches: (value: V) => boolean): void {
    this.generation++;
    for (const [key, entry] of this.values) if (matches(entry.value)) this.values.delete(key);
  }

  private refresh(key: string): Promise<V | undefined> {
    const generation = this.generation;
    const loading = this.loadWithTimeout(key).then(
      (value) => {
        this.unavailableUntil = 0;
        metrics.loads().inc({ lookup: this.options.name, result: value === undefined ? 'absent' : 'found' });
        if (generation === this.generation) this.remember(key, value);
        return value;
      },
      (err: unknown) => {
        this.lastError = err;
        this.unavailableUntil = this.now() + (this.options.retryMs ?? 1_000);
        return this.fallback(key, err);
      },
    );
    const shared = loading.finally(() => this.inflight.delete(key));
    this.inflight.set(key, shared);
    return shared;
  }

  /** The stale copy if it is still within bounds; otherwise the lookup is unavailable. */
  private fallback(key: string, err: unknown): V {
    const entry = this.values.get(key);
    if (entry && this.now() < entry.loadedAt + this.options.freshMs + this.options.staleMs) {
      metrics.stale().inc({ lookup: this.options.name });
      return entry.value;
    }
    metrics.unavailable().inc({ lookup: this.options.name });
    throw new LookupUnavailableException(this.options.name, err);
  }

  private remember(key: string, value: V | undefined): void {
    const max = this.options.maxEntries ?? 10_000;
    if (value === undefined) {
      this.values.delete(key);
      if (!this.options.absentMs) return;
      this.absent.delete(key);
      if (this.absent.size >= max) this.absent.delete(this.absent.keys().next().value!);
      this.absent.set(key, this.now());
      return;
    }
    this.absent.delete(key);
    this.values.delete(key);
    if (this.values.size >= max) this.values.delete(this.values.keys().next().value!);
    this.values.set(key, { value, loadedAt: this.now() });
  }

  private loadWithTimeout(key: string): Promise<V | undefined> {
    const timeoutMs = this.options.loadTimeoutMs;
    if (!timeoutMs) return this.load(key);
    let timer: NodeJS.Timeout | undefined;
    const loading = this.load(key);
    loading.catch(() => undefined);
    return Promise.race([
      loading,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${this.options.name} lookup took longer than ${timeoutMs} ms`)), timeoutMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }
}
