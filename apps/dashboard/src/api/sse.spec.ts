import { readSse, type SseMessage } from './sse';

describe(readSse.name, () => {
  it('should decode multi-byte characters split across chunks when reading a byte stream', async () => {
    const bytes = new TextEncoder().encode('event: ledger-event\ndata: {"tool":"résumé ✓"}\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < bytes.length; i += 3) c.enqueue(bytes.slice(i, i + 3));
        c.close();
      },
    });
    const got: SseMessage[] = [];
    await readSse(body, (m) => got.push(m));
    expect(got).toEqual([{ event: 'ledger-event', data: '{"tool":"résumé ✓"}' }]);
  });
});
