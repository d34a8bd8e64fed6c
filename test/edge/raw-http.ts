import { request, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** One request as the bad-input suite sends it: the path is sent byte for byte (no normalisation). */
export interface RawRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RawAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

const TIMEOUT_MS = 15_000;

/**
 * Sends a request on a fresh connection and reads the answer (up to 64 KiB of it). A stream
 * (server-sent events) is closed once its headers arrived.
 */
export function send(base: string, r: RawRequest): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method: r.method, path: r.path, headers: { connection: 'close', ...r.headers }, agent: false }, (res) => {
      if (String(res.headers['content-type'] ?? '').startsWith('text/event-stream')) {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: '' });
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        if (size < 65_536) chunks.push(c);
        size += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer within ${TIMEOUT_MS} ms to ${r.method} ${r.path}`)));
    req.on('error', reject);
    req.end(r.body);
  });
}

/**
 * Writes bytes the HTTP client would refuse to send (control characters in headers, smuggling
 * attempts, oversized headers) and reads the answer until the server closes the connection.
 */
export function sendRaw(base: string, bytes: string | Buffer): Promise<RawAnswer> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    socket.setTimeout(TIMEOUT_MS, () => socket.destroy(new Error('no answer to a raw request')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const raw = Buffer.concat(chunks).toString('latin1');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const headers: IncomingHttpHeaders = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, text: rest.join('\r\n\r\n') });
    });
    socket.end(bytes);
  });
}

/** Why an error answer is not in the documented shape {"error":{"status","code","message","field"?}}, or undefined. */
export function shapeProblem(a: RawAnswer): string | undefined {
  let body: { error?: { status?: unknown; code?: unknown; message?: unknown; field?: unknown } };
  try {
    body = JSON.parse(a.text);
  } catch {
    return `not JSON: ${a.text.slice(0, 120)}`;
  }
  const e = body?.error;
  if (!e || typeof e !== 'object') return 'no "error" object';
  if (e.status !== a.status) return `error.status ${String(e.status)} differs from the HTTP status ${a.status}`;
  if (typeof e.code !== 'string' || !e.code) return 'error.code is not a string';
  if (typeof e.message !== 'string' || !e.message) return 'error.message is not a string';
  if (e.field !== undefined && typeof e.field !== 'string') return 'error.field is not a string';
  return undefined;
}
