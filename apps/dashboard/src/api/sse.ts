import { SseParser, type ServerSentEvent } from '../../../../libs/contracts/src/sse-parser';

// The parser of `text/event-stream` is shared with the CLI (libs/contracts); fetch() streams are
// read with it because EventSource cannot send an Authorization header.
export { SseParser };
export type SseMessage = ServerSentEvent;

/** Reads a `text/event-stream` body to its end, calling `onMessage` for each event. */
export async function readSse(body: ReadableStream<Uint8Array>, onMessage: (m: SseMessage) => void, parser = new SseParser()): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      for (const m of parser.feed(decoder.decode(value, { stream: true }))) onMessage(m);
    }
    for (const m of parser.feed(decoder.decode())) onMessage(m);
  } finally {
    reader.releaseLock();
  }
}
