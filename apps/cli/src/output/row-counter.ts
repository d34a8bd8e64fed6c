import type { ExportFormat } from '../options/option-parsers';

/**
 * Counts the records of an export as its bytes stream past, without parsing or buffering them:
 * CSV rows (line breaks outside quotes, minus the header), JSON lines, or the objects of a JSON
 * array (objects opened directly inside the outermost array).
 */
export class RowCounter {
  private count = 0;
  private inQuotes = false;
  private inString = false;
  private escaped = false;
  private depth = 0;
  /** Depth of the outermost array's elements, once one is seen. */
  private arrayDepth: number | undefined;
  private sawData = false;
  private lastByte = 0x0a;

  constructor(readonly format: ExportFormat) {}

  get rows(): number {
    switch (this.format) {
      case 'csv':
        // The header is no row; a last row without a line break still is one.
        return Math.max(0, this.count - 1 + (this.sawData && this.lastByte !== 0x0a ? 1 : 0));
      case 'jsonl':
        return this.count + (this.sawData && this.lastByte !== 0x0a ? 1 : 0);
      default:
        return this.count;
    }
  }

  push(chunk: Uint8Array): void {
    if (!chunk.length) return;
    this.sawData = true;
    if (this.format === 'json') this.scanJson(chunk);
    else this.scanLines(chunk);
    this.lastByte = chunk[chunk.length - 1];
  }

  private scanLines(chunk: Uint8Array): void {
    const csv = this.format === 'csv';
    for (const b of chunk) {
      if (csv && b === 0x22) this.inQuotes = !this.inQuotes;
      else if (b === 0x0a && !this.inQuotes) this.count += 1;
    }
  }

  private scanJson(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (b === 0x5c) this.escaped = true;
        else if (b === 0x22) this.inString = false;
        continue;
      }
      if (b === 0x22) this.inString = true;
      else if (b === 0x5b || b === 0x7b) {
        if (b === 0x5b && this.arrayDepth === undefined) this.arrayDepth = this.depth + 1;
        else if (b === 0x7b && this.depth === this.arrayDepth) this.count += 1;
        this.depth += 1;
      } else if (b === 0x5d || b === 0x7d) this.depth -= 1;
    }
  }
}
