import { ApiResponseError, CliError, ExitCode, fromFetchError, parseApiErrorBody } from '../errors/cli.error';
import type { Connection } from '../config/cli.config';

export const CLI_VERSION = '0.2.0';

export type QueryValue = string | number | boolean | undefined | null;
export type Query = Record<string, QueryValue>;

/** `fetch` as the client uses it (tests pass their own). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** One page of a cursor-paginated list. */
export interface Page<T = unknown> {
  items: T[];
  nextCursor?: string;
}

/**
 * Reads a list page whatever the envelope: `{items|actions|events|data, nextCursor}` or a bare array.
 * The cursor may be `nextCursor`, `next_cursor`, `cursor.next` or `page.nextCursor`.
 */
export function readPage(body: unknown): Page {
  if (Array.isArray(body)) return { items: body };
  if (!body || typeof body !== 'object') throw new CliError(ExitCode.ApiError, 'the audit API answered with something that is not a list');
  const b = body as Record<string, unknown>;
  const items = [b.items, b.actions, b.events, b.data].find(Array.isArray) as unknown[] | undefined;
  if (!items) throw new CliError(ExitCode.ApiError, `the audit API answered without a list (keys: ${Object.keys(b).join(', ') || 'none'})`);
  const nested = (v: unknown, k: string) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined);
  const cursor = [b.nextCursor, b.next_cursor, nested(b.cursor, 'next'), nested(b.page, 'nextCursor'), nested(b.pagination, 'nextCursor')].find(
    (c) => typeof c === 'string' && c.length > 0,
  ) as string | undefined;
  return { items, ...(cursor ? { nextCursor: cursor } : {}) };
}

/** The audit API over HTTP: bearer key, one error mapping, JSON and streamed bodies. */
export class LedgerClient {
  constructor(
    readonly connection: Connection,
    private readonly fetchImpl: FetchLike = fetch,
    /** Aborts every request (Ctrl-C). */
    private readonly interrupt?: AbortSignal,
  ) {}

  url(path: string, query: Query = {}): string {
    const u = new URL(this.connection.baseUrl + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') u.searchParams.set(k, String(v));
    return u.toString();
  }

  /** GET a JSON body; API errors, auth failures and unreachable servers become CliErrors. */
  async getJson<T = unknown>(path: string, query: Query = {}): Promise<T> {
    return this.exchangeJson<T>(path, query);
  }

  /** POST a JSON body and read the JSON answer (same error mapping as {@link getJson}). */
  async postJson<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.exchangeJson<T>(path, {}, { method: 'POST', body: JSON.stringify(body) });
  }

  /** PUT a JSON body and read the JSON answer (same error mapping as {@link getJson}). */
  async putJson<T = unknown>(path: string, body: unknown): Promise<T> {
    return this.exchangeJson<T>(path, {}, { method: 'PUT', body: JSON.stringify(body) });
  }

  private async exchangeJson<T>(path: string, query: Query, init?: { method: string; body: string }): Promise<T> {
    // The timeout covers the whole exchange: headers and body.
    const headers: Record<string, string> = { accept: 'application/json', ...(init ? { 'content-type': 'application/json' } : {}) };
    const res = await this.send(path, query, headers, this.withInterrupt(AbortSignal.timeout(this.connection.timeoutMs)), init);
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw this.transferError(err);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new CliError(ExitCode.ApiError, `the audit API answered ${path} with a body that is not JSON`);
    }
  }

  /** Every item of a cursor-paginated list, page by page, up to `max` items. */
  async *paginate(path: string, query: Query, options: { max?: number; pageSize: number }): AsyncGenerator<unknown> {
    let cursor: string | undefined;
    let seen = 0;
    const used = new Set<string>();
    for (;;) {
      const limit = options.max === undefined ? options.pageSize : Math.min(options.pageSize, options.max - seen);
      if (limit <= 0) return;
      const page = readPage(await this.getJson(path, { ...query, limit, cursor }));
      for (const item of page.items) {
        if (options.max !== undefined && seen >= options.max) return;
        seen += 1;
        yield item;
      }
      if (!page.nextCursor || page.items.length === 0) return;
      if (used.has(page.nextCursor)) throw new CliError(ExitCode.ApiError, 'the audit API returned the same cursor twice; stopping');
      used.add(page.nextCursor);
      cursor = page.nextCursor;
    }
  }

  /**
   * Starts a GET whose body the caller streams (export, tail): resolves once headers with a 2xx
   * status arrived. The timeout covers only the wait for the headers; `signal` aborts it all.
   */
  async open(path: string, query: Query = {}, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Response> {
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(new DOMException('no response headers in time', 'TimeoutError')), this.connection.timeoutMs);
    try {
      return await this.send(path, query, headers, this.withInterrupt(signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal));
    } finally {
      clearTimeout(timer);
    }
  }

  /** Maps an error thrown while reading a body (after the headers) to a CliError. */
  transferError(err: unknown): CliError {
    return fromFetchError(err, this.connection.baseUrl, 'transfer');
  }

  private withInterrupt(signal: AbortSignal): AbortSignal {
    return this.interrupt ? AbortSignal.any([signal, this.interrupt]) : signal;
  }

  private async send(path: string, query: Query, headers: Record<string, string>, signal: AbortSignal, init?: { method: string; body: string }): Promise<Response> {
    const url = this.url(path, query);
    let res: Response;
    try {
      res = await this.fetchImpl(url, {
        ...init,
        headers: { authorization: `Bearer ${this.connection.apiKey}`, 'user-agent': `agent-ledger-cli/${CLI_VERSION}`, ...headers },
        signal,
      });
    } catch (err) {
      // An abort of the caller's own (Ctrl-C) is not a network problem: let it through as is.
      if (signal.aborted && (signal.reason as Error | undefined)?.name !== 'TimeoutError') throw err;
      throw fromFetchError(signal.aborted ? signal.reason : err, this.connection.baseUrl);
    }
    if (!res.ok) {
      const text = await res.text().catch(() => '');
      throw new ApiResponseError(res.status, parseApiErrorBody(text), url, text);
    }
    return res;
  }
}
