import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { ForbiddenAddressError, type WebhookAddressGuard } from '@agent-ledger/outbound';

export interface WebhookResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The first bytes of the answer (for the delivery log). */
  bodySnippet: string;
}

export class WebhookRequestError extends Error {
  override name = 'WebhookRequestError';
  constructor(
    message: string,
    /** The address guard refused the destination. */
    readonly forbidden = false,
  ) {
    super(message);
  }
}

const SNIPPET_BYTES = 512;
const USER_AGENT = 'agent-ledger-webhooks/1';

/**
 * POSTs a webhook with node:http/https: one new connection per request, resolved through the
 * address guard (so the address actually connected to is checked), a deadline over the whole
 * exchange, and redirects never followed (a 3xx is just the answer).
 */
export function postWebhook(url: string, body: string, headers: Record<string, string>, opts: { guard: WebhookAddressGuard; timeoutMs: number }): Promise<WebhookResponse> {
  const u = new URL(url);
  const form = opts.guard.checkForm(url);
  if (form) return Promise.reject(new WebhookRequestError(form.message, form.code === 'forbidden_address'));
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !opts.guard.isAllowed(host, host)) {
    return Promise.reject(new WebhookRequestError(`${host} is not a public address; webhooks may not reach it unless allowlisted`, true));
  }
  const client = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const req = client.request(
      u,
      {
        method: 'POST',
        agent: false,
        lookup: opts.guard.lookup as never,
        headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT, 'content-length': String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          if (size < SNIPPET_BYTES) chunks.push(c);
          size += c.length;
          if (size >= SNIPPET_BYTES) res.destroy();
        });
        const done = () =>
          finish(() => resolve({ status: res.statusCode ?? 0, headers: res.headers, bodySnippet: Buffer.concat(chunks).subarray(0, SNIPPET_BYTES).toString('utf8') }));
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      },
    );
    const timer = setTimeout(() => {
      finish(() => reject(new WebhookRequestError(`no answer within ${opts.timeoutMs} ms`)));
      req.destroy();
    }, opts.timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) =>
      finish(() => reject(err instanceof ForbiddenAddressError ? new WebhookRequestError(err.message, true) : new WebhookRequestError(err.code ? `${err.code}: ${err.message}` : err.message))),
    );
    req.end(body);
  });
}
