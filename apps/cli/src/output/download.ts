import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CliError, ExitCode } from '../errors/cli.error';
import type { ExportFormat } from '../options/option-parsers';
import { RowCounter } from './row-counter';
import { TransferProgress, type ProgressStream } from './transfer-progress';

export interface DownloadResult {
  bytes: number;
  rows: number;
}

export interface DownloadOptions {
  /** A file path, or "-" for stdout. */
  out: string;
  format: ExportFormat;
  stdout: NodeJS.WritableStream;
  stderr: ProgressStream;
  /** Draw a progress line (still only when stderr is a terminal). */
  progress: boolean;
  label: string;
  signal?: AbortSignal;
  /** Maps an error of the response body to a CliError (a dropped connection). */
  transferError: (err: unknown) => CliError;
}

/**
 * Streams a response body to a file (or stdout) with flat memory, counting bytes and rows for the
 * progress line. A file is written as `<out>.partial` and renamed when the body arrived whole, so a
 * broken transfer never leaves a file that looks complete.
 */
export async function downloadTo(res: Response, o: DownloadOptions): Promise<DownloadResult> {
  if (!res.body) throw new CliError(ExitCode.ApiError, 'the audit API answered without a body');
  const counter = new RowCounter(o.format);
  const progress = new TransferProgress(o.stderr, o.label, o.progress);
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      counter.push(chunk);
      progress.update(bytes, counter.rows);
      done(null, chunk);
    },
  });
  const toStdout = o.out === '-';
  const partial = toStdout ? '' : path.join(path.dirname(o.out), `.${path.basename(o.out)}.partial`);
  let sink: Writable;
  if (toStdout) {
    // Do not end stdout when the body ends.
    sink = new Writable({ write: (chunk, _enc, done) => (o.stdout.write(chunk) ? done() : o.stdout.once('drain', () => done())) });
  } else {
    sink = createWriteStream(partial, { flags: 'w', mode: 0o600 });
  }
  const body = Readable.fromWeb(res.body as unknown as WebReadableStream<Uint8Array>);
  try {
    await pipeline(body, count, sink, { signal: o.signal });
    if (!toStdout) await rename(partial, o.out).catch((err: NodeJS.ErrnoException) => {
      throw new CliError(ExitCode.LocalFile, `cannot write ${o.out}: ${err.code ?? err.message}`);
    });
  } catch (err) {
    if (!toStdout) await rm(partial, { force: true });
    if (err instanceof CliError) throw err;
    const e = err as NodeJS.ErrnoException;
    if (e.name === 'AbortError') throw new CliError(ExitCode.Interrupted, `interrupted: ${o.out === '-' ? 'the export' : o.out} was not written`);
    // fs errors carry a syscall and a path; anything else came from the response body.
    if (e.syscall && (e.path || e.code === 'ENOSPC')) throw new CliError(ExitCode.LocalFile, `cannot write ${o.out}: ${e.code ?? e.message}`);
    throw o.transferError(err);
  } finally {
    progress.stop();
  }
  return { bytes, rows: counter.rows };
}

/** The export format named by a file's extension, if it names one. */
export function formatFromPath(file: string): ExportFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.json' ? 'json' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : undefined;
}
