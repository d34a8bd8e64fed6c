import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { ExitCode, fromFetchError } from '../errors/cli.error';
import { downloadTo, formatFromPath } from './download';

function body(chunks: string[], failAfter = false): Response {
  return new Response(
    new ReadableStream<Uint8Array>({
      start(controller) {
        for (const c of chunks) controller.enqueue(new TextEncoder().encode(c));
        if (failAfter) controller.error(Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } }));
        else controller.close();
      },
    }),
  );
}

describe(downloadTo.name, () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(path.join(tmpdir(), 'download-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));
  const options = (out: string) => ({
    out,
    format: 'csv' as const,
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    progress: true,
    label: 'exporting',
    transferError: (err: unknown) => fromFetchError(err, 'http://h', 'transfer'),
  });

  it('should write the whole body and count its rows when the transfer completes', async () => {
    const out = path.join(dir, 'a.csv');
    const result = await downloadTo(body(['id,n\r\n1,"a\r\nb"\r\n', '2,c\r\n']), options(out));
    expect(result).toEqual({ bytes: 21, rows: 2 });
    expect(await readFile(out, 'utf8')).toBe('id,n\r\n1,"a\r\nb"\r\n2,c\r\n');
    expect(await readdir(dir)).toEqual(['a.csv']);
  });

  it('should leave no file and exit with the unreachable code when the connection breaks off', async () => {
    const out = path.join(dir, 'b.csv');
    await expect(downloadTo(body(['id\r\n1\r\n'], true), options(out))).rejects.toMatchObject({ exitCode: ExitCode.Unreachable, message: expect.stringContaining('was lost') });
    expect(existsSync(out)).toBe(false);
    expect(await readdir(dir)).toEqual([]);
  });

  it('should name the format of known extensions only', () => {
    expect(['x.csv', 'x.JSON', 'x.jsonl', 'x.ndjson', 'x.txt', '-'].map(formatFromPath)).toEqual(['csv', 'json', 'jsonl', 'jsonl', undefined, undefined]);
  });
});
