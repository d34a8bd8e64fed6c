import { readSse, SseParser, type SseMessage } from './sse';

describe(SseParser.name, () => {
  it('should emit one event per blank-line-terminated block with its type, id and data when fed whole', () => {
    const parser = new SseParser();
    const out = parser.push('retry: 2000\n: connected\n\nid: e1\nevent: ledger-event\ndata: {"a":1}\n\nid: e2\nevent: ledger-event\ndata: {"a":2}\n\n');
    expect(out).toEqual([
      { event: 'ledger-event', data: '{"a":1}', id: 'e1' },
      { event: 'ledger-event', data: '{"a":2}', id: 'e2' },
    ]);
    expect(parser.retryMs).toBe(2000);
    expect(parser.lastEventId).toBe('e2');
  });

  it('should give the same events when the stream is cut at every possible byte', () => {
    const text = 'id: 1\r\nevent: ledger-event\r\ndata: line one\r\ndata: line two\r\n\r\n: keep-alive\r\n\r\ndata: plain\r\r\n';
    const whole = new SseParser().push(text);
    expect(whole).toEqual([
      { event: 'ledger-event', data: 'line one\nline two', id: '1' },
      { event: 'message', data: 'plain' },
    ]);
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      expect([...parser.push(text.slice(0, cut)), ...parser.push(text.slice(cut))]).toEqual(whole);
    }
  });

  it('should dispatch nothing when a block has no data lines or is incomplete', () => {
    const parser = new SseParser();
    expect(parser.push('event: ledger-event\n\n: comment only\n\ndata: half')).toEqual([]);
    expect(parser.push('\n\n')).toEqual([{ event: 'message', data: 'half' }]);
  });

  it('should keep a value whose first character after the colon is not a space as it is', () => {
    expect(new SseParser().push('data:x\ndata:  two spaces\n\n')).toEqual([{ event: 'message', data: 'x\n two spaces' }]);
  });
});

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
