import { setTimeout as sleep } from 'node:timers/promises';
import type { FieldError } from '@agent-ledger/contracts';
import { LedgerError, LedgerErrorCode } from './ledger-error';
import { backoffDelay, honoursRetryAfter, isRetryableStatus, parseRetryAfter } from './retry-policy';
import { SDK_VERSION } from './version';

export interface LedgerHttpTransportOptions {
  /** Base URL of the ingest API; events go to `<url>/v1/events`. */
  url: string;
  apiKey: string;
  maxRetries: number;
  timeoutMs: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** Upper bound of a honoured `Retry-After`, in ms. */
  maxRetryAfterMs: number;
}

type AttemptOutcome = { ok: true } | { ok: false; error: LedgerError; retryAfterMs?: number };

/**
 * Sends one request body to `POST /v1/events` and retries it with backoff: on 503, 429 (honouring
 * `Retry-After`), other transient statuses, network errors and timeouts. Never retries 400, 401,
 * 403, 413, 415 or any other client error; their error body (code, message, fields) is surfaced.
 */
export class LedgerHttpTransport {
  private readonly endpoint: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: LedgerHttpTransportOptions) {
    const base = options.url.endsWith('/') ? options.url : `${options.url}/`;
    this.endpoint = new URL('v1/events', base).toString();
    this.headers = {
      authorization: `Bearer ${options.apiKey}`,
      'content-type': 'application/json',
      accept: 'application/json',
      'user-agent': `agent-ledger-sdk/${SDK_VERSION} node/${process.versions.node}`,
    };
  }

  /**
   * Resolves once the ledger answered 2xx (202: every event accepted).
   * @throws LedgerError with the server's code, message and fields, or a transport code; `attempts` set.
   */
  async send(body: string): Promise<{ attempts: number }> {
    for (let retry = 0; ; retry++) {
      const outcome = await this.attempt(body);
      const attempts = retry + 1;
      if (outcome.ok) return { attempts };
      if (!outcome.error.retryable || retry >= this.options.maxRetries) throw outcome.error.with({ attempts });
      const delay =
        outcome.retryAfterMs !== undefined
          ? Math.min(outcome.retryAfterMs, this.options.maxRetryAfterMs)
          : backoffDelay(retry, { baseDelayMs: this.options.retryBaseDelayMs, maxDelayMs: this.options.retryMaxDelayMs });
      await sleep(delay);
    }
  }

  private async attempt(body: string): Promise<AttemptOutcome> {
    let status: number;
    let text: string;
    let retryAfter: string | null;
    try {
      const response = await fetch(this.endpoint, {
        method: 'POST',
        headers: this.headers,
        body,
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
      status = response.status;
      retryAfter = response.headers.get('retry-after');
      // Read the body in every case: it frees the connection for reuse.
      text = await response.text();
    } catch (err) {
      return { ok: false, error: this.transportError(err) };
    }
    if (status >= 200 && status < 300) return { ok: true };

    const retryable = isRetryableStatus(status);
    const parsed = parseErrorBody(text);
    const error = new LedgerError({
      code: parsed?.code ?? LedgerErrorCode.UnexpectedResponse,
      message: parsed?.message ?? `the ledger answered HTTP ${status}`,
      fields: parsed?.fields ?? [],
      status,
      retryable,
    });
    const retryAfterMs = retryable && honoursRetryAfter(status) ? parseRetryAfter(retryAfter) : undefined;
    return { ok: false, error, retryAfterMs };
  }

  private transportError(err: unknown): LedgerError {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
      return new LedgerError({
        code: LedgerErrorCode.Timeout,
        message: `no response from ${this.endpoint} within ${this.options.timeoutMs} ms`,
        retryable: true,
        cause: err,
      });
    }
    const reason = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
    return new LedgerError({
      code: LedgerErrorCode.NetworkError,
      message: `request to ${this.endpoint} failed: ${reason}`,
      retryable: true,
      cause: err,
    });
  }
}

/** The ledger's error body: `{"error":{"status","code","message","field"?,"errors"?:[{"field","code","message"}]}}`. */
function parseErrorBody(text: string): { code: string; message: string; fields: FieldError[] } | undefined {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return undefined;
  }
  const error = (body as { error?: unknown } | null)?.error as Record<string, unknown> | undefined;
  if (!error || typeof error !== 'object' || typeof error.code !== 'string') return undefined;
  const listed = Array.isArray(error.errors)
    ? error.errors
        .filter((f): f is Record<string, unknown> => typeof f === 'object' && f !== null)
        .map((f) => ({ pointer: String(f.field ?? ''), code: String(f.code ?? ''), message: String(f.message ?? '') }))
    : [];
  const fields = listed.length || typeof error.field !== 'string' ? listed : [{ pointer: error.field, code: error.code, message: String(error.message ?? error.code) }];
  return { code: error.code, message: typeof error.message === 'string' ? error.message : error.code, fields };
}
