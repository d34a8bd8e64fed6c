import { SingleBar } from 'cli-progress';
import { formatBytes, formatCount } from './format';

/** Where progress goes: stderr, which is a terminal or not. */
export interface ProgressStream extends NodeJS.WritableStream {
  isTTY?: boolean;
}

/**
 * Bytes and rows of a streamed download, redrawn in place on stderr (at most ~10 times a second).
 * Only on a terminal: when stderr is a pipe or a file (CI, scripts, `2>log`), nothing is drawn.
 * A download has no known size (the server streams it), so the line shows counts and a rate, not
 * a percentage.
 */
export class TransferProgress {
  private readonly bar?: SingleBar;
  private readonly startedAt = Date.now();
  private bytes = 0;
  private rows = 0;

  constructor(stream: ProgressStream, label: string, enabled = true) {
    if (!enabled || !stream.isTTY) return;
    this.bar = new SingleBar({
      stream: stream as NodeJS.WritableStream,
      format: `${label} {size} · {rowCount} rows · {rate}/s`,
      fps: 10,
      hideCursor: true,
      clearOnComplete: true,
      noTTYOutput: false,
      etaBuffer: 1,
    });
    this.bar.start(0, 0, this.payload());
  }

  get active(): boolean {
    return !!this.bar;
  }

  update(bytes: number, rows: number): void {
    this.bytes = bytes;
    this.rows = rows;
    this.bar?.update(0, this.payload());
  }

  stop(): void {
    this.bar?.update(0, this.payload());
    this.bar?.stop();
  }

  private payload() {
    const seconds = Math.max(0.001, (Date.now() - this.startedAt) / 1_000);
    return { size: formatBytes(this.bytes), rowCount: formatCount(this.rows), rate: formatBytes(Math.round(this.bytes / seconds)) };
  }
}
