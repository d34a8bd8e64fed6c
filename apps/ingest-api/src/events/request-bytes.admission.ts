import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '@agent-ledger/runtime';
import { IngestAdmission } from './ingest-admission';

/**
 * Admits a request's body bytes against INGEST_MAX_PENDING_BYTES before the body is read: the
 * declared Content-Length, or the largest body accepted (`maxBodyBytes`, counted after decoding)
 * when the length is not declared or the body is compressed. Beyond the budget the request is
 * answered 503 ingest_overloaded with Retry-After before a byte of it is read; taken bytes are given
 * back when the answer is sent or the connection closes. Requests without a body pass.
 */
export function requestBytesAdmission(maxPendingBytes: number, maxBodyBytes: number) {
  const budget = new IngestAdmission(maxPendingBytes);
  return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void => {
    const length = req.headers['content-length'];
    const chunked = req.headers['transfer-encoding'] !== undefined;
    if (!chunked && (length === undefined || length === '0')) return next();
    const declared = Number(length);
    const encoded = req.headers['content-encoding'] !== undefined && req.headers['content-encoding'] !== 'identity';
    const bytes = !chunked && !encoded && Number.isSafeInteger(declared) && declared >= 0 ? Math.min(declared, maxBodyBytes) : maxBodyBytes;
    const release = budget.admit(bytes);
    if (!release) {
      next(ApiError.unavailable('ingest_overloaded', 'too many request bytes are in progress; retry shortly with the same eventIds', 1));
      return;
    }
    res.once('close', release);
    next();
  };
}
