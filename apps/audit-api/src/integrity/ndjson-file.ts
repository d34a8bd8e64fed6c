import { StreamableFile } from '@nestjs/common';
import { Readable } from 'node:stream';

/**
 * A streamed JSON lines download. The first chunk is read before the response starts, so a failure
 * there (the database is down) is answered with the usual error body; a failure later aborts the
 * response instead of ending it, so a truncated file never looks complete.
 */
export async function ndjsonFile(chunks: AsyncGenerator<string>, filename: string): Promise<StreamableFile> {
  const first = await chunks.next();
  async function* all(): AsyncGenerator<string> {
    if (first.done) return;
    yield first.value;
    yield* chunks;
  }
  return new StreamableFile(Readable.from(all(), { objectMode: false }), {
    type: 'application/x-ndjson; charset=utf-8',
    disposition: `attachment; filename="${filename}"`,
  });
}
