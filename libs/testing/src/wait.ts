/** Polls fn until it returns a truthy value or the timeout passes; returns that value. */
export async function waitFor<T>(fn: () => Promise<T | undefined | null | false> | T | undefined | null | false, opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {}): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${opts.what ?? 'condition'}${lastError ? `: ${(lastError as Error).message}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
}

/**
 * Polls a count that should grow to `target` (events stored by lagging consumers, say): waits as
 * long as it keeps growing, and gives up once it has not grown for `stallMs` or `maxMs` has passed.
 * Answers the last count and how long the wait took; the caller's own check names what is missing.
 */
export async function waitWhileGrowing(count: () => Promise<number>, target: number, opts: { stallMs?: number; maxMs?: number; intervalMs?: number } = {}): Promise<{ count: number; waitedMs: number }> {
  const started = Date.now();
  const stallMs = opts.stallMs ?? 60_000;
  let last = -1;
  let grewAt = started;
  for (;;) {
    const n = await count();
    if (n >= target) return { count: n, waitedMs: Date.now() - started };
    if (n > last) [last, grewAt] = [n, Date.now()];
    if (Date.now() - grewAt > stallMs || Date.now() - started > (opts.maxMs ?? 15 * 60_000)) return { count: n, waitedMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 2_000));
  }
}

export async function httpStatus(url: string, init?: RequestInit): Promise<number> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(3_000) });
    await res.arrayBuffer();
    return res.status;
  } catch {
    return 0;
  }
}
