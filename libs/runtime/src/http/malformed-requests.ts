import { STATUS_CODES, type Server } from 'node:http';
import type { Duplex } from 'node:stream';

const ANSWERS: Record<number, { code: string; message: string }> = {
  400: { code: 'malformed_request', message: 'the HTTP request could not be parsed' },
  408: { code: 'request_timeout', message: 'the request was not received in time' },
  431: { code: 'headers_too_large', message: 'the request headers are too large' },
};

/**
 * A request Node's HTTP parser refuses (a header with a control character, Content-Length with
 * Transfer-Encoding, an oversized header section, a broken request line) or that does not arrive in
 * time is answered in the usual error shape, then the connection is closed.
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const body = JSON.stringify({ error: { status, ...ANSWERS[status] } });
    socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
}
