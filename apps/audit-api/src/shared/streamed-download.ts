import { createLogger } from '@agent-ledger/telemetry';

/** The part of Express's response a streamed download uses. */
export interface DownloadResponse {
  setHeader(name: string, value: string): void;
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', cb: () => void): void;
  end(): void;
  destroy(err?: Error): void;
  destroyed?: boolean;
}

const log = createLogger('StreamedDownload');

/**
 * Sends a download produced chunk by chunk (memory stays flat whatever its size), in two phases:
 * - the first chunk is produced before the status and headers are sent, so the validation and the
 *   first database query have run: a failure there throws, and the caller's error filter answers
 *   with the usual error body and status (400, 503, …);
 * - a failure after the headers destroys the connection: the client sees a broken transfer
 *   (no terminating chunk), never a clean 200 with a truncated body.
 * A client that goes away stops the producer (its `finally` blocks release database cursors).
 */
export async function sendDownload(res: DownloadResponse, headers: { contentType: string; filename: string }, chunks: AsyncGenerator<string>): Promise<void> {
  const first = await chunks.next();
  res.setHeader('Content-Type', headers.contentType);
  res.setHeader('Content-Disposition', `attachment; filename="${headers.filename}"`);
  res.setHeader('Cache-Control', 'no-store');
  let closed = false;
  res.once('close', () => (closed = true));
  const write = async (chunk: string) => {
    if (closed || res.write(chunk)) return;
    await new Promise<void>((resolve) => {
      res.once('drain', resolve);
      res.once('close', resolve);
    });
  };
  try {
    if (!first.done) await write(first.value);
    while (!closed && !first.done) {
      const next = await chunks.next();
      if (next.done) break;
      await write(next.value);
    }
  } catch (err) {
    log.warn({ errName: (err as Error)?.name, code: (err as { code?: unknown })?.code }, 'a download failed after its headers were sent; connection aborted');
    res.destroy();
    return;
  } finally {
    if (closed) await chunks.return(undefined).catch(() => undefined);
  }
  if (!closed) res.end();
}
