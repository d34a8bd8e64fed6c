import { ApiProblem, isAbort, networkProblem, problemFromAnswer } from './problem';
import { readSse, SseParser, type SseMessage } from './sse';

export type QueryValue = string | number | boolean | undefined | null;
export type Query = Record<string, QueryValue>;

/** `?a=1&b=x` of the set values (empty strings, null and undefined are left out), or ''. */
export function toSearch(query?: Query): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') params.set(k, String(v));
  const s = params.toString();
  return s ? `?${s}` : '';
}

/** The file name of a `Content-Disposition: attachment; filename="…"` header. */
export function attachmentName(header: string | null, fallback: string): string {
  if (!header) return fallback;
  const star = /filename\*\s*=\s*(?:UTF-8'')?([^;]+)/i.exec(header);
  if (star) {
    try {
      return sanitizeName(decodeURIComponent(star[1].trim().replace(/^"|"$/g, '')), fallback);
    } catch {
      /* fall through to filename= */
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"|filename\s*=\s*([^;]+)/i.exec(header);
  return sanitizeName((plain?.[1] ?? plain?.[2] ?? '').trim(), fallback);
}

function sanitizeName(name: string, fallback: string): string {
  const clean = name.replace(/[/\\?%*:|"<>\x00-\x1f]/g, '-').trim();
  return clean || fallback;
}

export interface StreamHandlers {
  /** The stream is open (the server answered 200). */
  onOpen?(): void;
  onMessage(m: SseMessage): void;
}

/**
 * The audit API, as the signed-in key sees it. The key goes only into the Authorization header of
 * same-origin requests: never into a URL, a cookie or a log.
 */
export class LedgerClient {
  constructor(
    private readonly key: string,
    private readonly onProblem?: (p: ApiProblem) => void,
  ) {}

  private async send(method: string, path: string, opts: { query?: Query; body?: unknown; signal?: AbortSignal; accept?: string } = {}): Promise<Response> {
    const headers: Record<string, string> = { Authorization: `Bearer ${this.key}`, Accept: opts.accept ?? 'application/json' };
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${path}${toSearch(opts.query)}`, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
        cache: 'no-store',
        credentials: 'omit',
        referrerPolicy: 'no-referrer',
      });
    } catch (err) {
      if (isAbort(err)) throw err;
      const p = networkProblem(err);
      this.onProblem?.(p);
      throw p;
    }
    if (!res.ok) {
      const p = problemFromAnswer(res.status, res.statusText, await res.text().catch(() => ''));
      this.onProblem?.(p);
      throw p;
    }
    return res;
  }

  async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    const res = await this.send('GET', path, { query, signal });
    return (await res.json()) as T;
  }

  async post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.send('POST', path, { body, signal });
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  async put<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const res = await this.send('PUT', path, { body, signal });
    const text = await res.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** A file answer (an export) as a Blob with the server's file name. */
  async download(path: string, query: Query, fallbackName: string, signal?: AbortSignal): Promise<{ blob: Blob; filename: string }> {
    const res = await this.send('GET', path, { query, signal, accept: '*/*' });
    return { blob: await res.blob(), filename: attachmentName(res.headers.get('content-disposition'), fallbackName) };
  }

  /**
   * Reads a server-sent event stream with the key in the header (fetch + a stream reader, since
   * EventSource cannot send headers). Resolves when the server ends the stream, rejects with the
   * API's problem if it refuses it, or with an AbortError when `signal` aborts.
   */
  async stream(path: string, query: Query, handlers: StreamHandlers, signal: AbortSignal, parser = new SseParser()): Promise<void> {
    const res = await this.send('GET', path, { query, signal, accept: 'text/event-stream' });
    if (!res.body) throw new ApiProblem({ status: 0, code: 'stream_unsupported', message: 'this browser cannot read streamed answers' });
    handlers.onOpen?.();
    await readSse(res.body, handlers.onMessage, parser);
  }
}
