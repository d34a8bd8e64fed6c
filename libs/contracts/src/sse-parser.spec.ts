import { SseParser } from './sse-parser';

describe(SseParser.name, () => {
  it('should return complete events and keep a partial one until its blank line arrives', () => {
    const p = new SseParser();
    expect(p.feed('id: 1\ndata: {"a":1}\n\nid: 2\nda')).toEqual([{ event: 'message', data: '{"a":1}', id: '1' }]);
    expect(p.feed('ta: {"a":2}\n')).toEqual([]);
    expect(p.feed('\n')).toEqual([{ event: 'message', data: '{"a":2}', id: '2' }]);
    expect(p.lastEventId).toBe('2');
  });

  it('should join data lines, read event names and skip comments when parsing', () => {
    const p = new SseParser();
    expect(p.feed(': heartbeat\n\nevent: ledger-event\ndata: line1\ndata: line2\n\n')).toEqual([{ event: 'ledger-event', data: 'line1\nline2' }]);
  });

  it('should handle CRLF and CR line ends even when split across chunks', () => {
    const p = new SseParser();
    expect(p.feed('data: x\r')).toEqual([]);
    expect(p.feed('\n\r\ndata: y\r\r')).toEqual([{ event: 'message', data: 'x' }]);
    // The trailing CR may be half of CRLF: the event ends once the next byte shows it is not.
    expect(p.feed('data: z\n\n')).toEqual([{ event: 'message', data: 'y' }, { event: 'message', data: 'z' }]);
  });

  it('should decode UTF-8 characters split between chunks', () => {
    const p = new SseParser();
    const bytes = Buffer.from('data: é\n\n', 'utf8');
    expect(p.feed(bytes.subarray(0, 7))).toEqual([]);
    expect(p.feed(bytes.subarray(7))).toEqual([{ event: 'message', data: 'é' }]);
  });

  it('should keep the last event id across events without an id and take the retry delay', () => {
    const p = new SseParser();
    p.feed('id: 7\ndata: a\n\nretry: 2500\ndata: b\n\n');
    expect(p.lastEventId).toBe('7');
    expect(p.retryMs).toBe(2500);
  });

  it('should give the same events when the stream is cut at every possible byte', () => {
    const text = 'id: 1\r\nevent: ledger-event\r\ndata: line one\r\ndata: line two\r\n\r\n: keep-alive\r\n\r\ndata: plain\r\r\n';
    const whole = new SseParser().feed(text);
    expect(whole).toEqual([
      { event: 'ledger-event', data: 'line one\nline two', id: '1' },
      { event: 'message', data: 'plain' },
    ]);
    for (let cut = 1; cut < text.length; cut++) {
      const parser = new SseParser();
      expect([...parser.feed(text.slice(0, cut)), ...parser.feed(text.slice(cut))]).toEqual(whole);
    }
  });

  it('should dispatch nothing when a block has no data lines or is incomplete', () => {
    const parser = new SseParser();
    expect(parser.feed('event: ledger-event\n\n: comment only\n\ndata: half')).toEqual([]);
    expect(parser.feed('\n\n')).toEqual([{ event: 'message', data: 'half' }]);
  });

  it('should keep a value whose first character after the colon is not a space as it is', () => {
    expect(new SseParser().feed('data:x\ndata:  two spaces\n\n')).toEqual([{ event: 'message', data: 'x\n two spaces' }]);
  });
});
