import { EventEmitter } from 'node:events';
import { sendDownload, type DownloadResponse } from './streamed-download';

class FakeResponse extends EventEmitter implements DownloadResponse {
  headers: Record<string, string> = {};
  written: string[] = [];
  ended = false;
  destroyed = false;
  setHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  write(chunk: string) {
    this.written.push(chunk);
    return true;
  }
  end() {
    this.ended = true;
  }
  destroy() {
    this.destroyed = true;
  }
}

async function* chunks(failAt: number, n = 3): AsyncGenerator<string> {
  for (let i = 0; i < n; i++) {
    if (i === failAt) throw Object.assign(new Error('database gone'), { code: 'ECONNREFUSED' });
    yield `chunk${i}`;
  }
}

describe(sendDownload.name, () => {
  const headers = { contentType: 'text/csv', filename: 'x.csv' };

  it('should send every chunk and end the answer when nothing fails', async () => {
    const res = new FakeResponse();
    await sendDownload(res, headers, chunks(-1));
    expect(res.written).toEqual(['chunk0', 'chunk1', 'chunk2']);
    expect(res.ended).toBe(true);
  });

  it('should throw before any header is set when the first chunk fails', async () => {
    const res = new FakeResponse();
    await expect(sendDownload(res, headers, chunks(0))).rejects.toThrow('database gone');
    expect(res.headers).toEqual({});
    expect(res.written).toEqual([]);
  });

  it('should destroy the connection, never end it cleanly, when a later chunk fails', async () => {
    const res = new FakeResponse();
    await sendDownload(res, headers, chunks(2));
    expect(res.written).toEqual(['chunk0', 'chunk1']);
    expect(res.destroyed).toBe(true);
    expect(res.ended).toBe(false);
  });
});
