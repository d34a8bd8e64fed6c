import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, parseInput } from '@agent-ledger/runtime';
import { exportSchema, type EventFilter } from './query-filters';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { csvSafe, EXPORT_COLUMNS } from './export-format';

interface StreamingResponse {
  setHeader(name: string, value: string): void;
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', cb: () => void): void;
  end(): void;
  destroyed?: boolean;
}

const PAGE = 500;
const CSV_PAGE = 1_000;
const CHUNK_ROWS = 50;
const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

/** Streams every event matching the filters, oldest first, page by page: memory stays flat. */
@Controller('v1/export')
@RequireScope('read')
@ApiTags('records')
@ApiKeyAuth()
export class ExportController {
  constructor(
    private readonly repository: RecordsRepository,
    private readonly records: RecordsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Export events matching the filters as CSV, JSON or JSONL (streamed)' })
  @ApiInput({ query: exportSchema })
  async export(@CurrentTenant() tenantId: string, @Query() query: unknown, @Res() res: StreamingResponse): Promise<void> {
    const { format, ...filter } = parseInput(exportSchema, query, 'query');
    // The first page is read before any byte is sent, so a failure still becomes a JSON error answer.
    const pages = this.pages(tenantId, filter);
    let next = format === 'csv' ? { done: true as const, value: undefined } : await pages.next();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="agent-ledger-events-${stamp}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    let closed = false;
    res.once('close', () => (closed = true));
    const write = async (chunk: string) => {
      if (closed) return;
      if (!res.write(chunk)) {
        await new Promise<void>((r) => {
          res.once('drain', r);
          res.once('close', r);
        });
      }
    };
    if (format === 'csv') {
      await write(stringify([EXPORT_COLUMNS]));
      await this.writeCsv(tenantId, filter, write, () => closed);
      res.end();
      return;
    }
    if (format === 'json') await write('[');
    let n = 0;
    while (!next.done && !closed) {
      const items = next.value;
      for (let i = 0; i < items.length; i += CHUNK_ROWS) {
        let chunk = '';
        for (const e of items.slice(i, i + CHUNK_ROWS)) chunk += format === 'json' ? `${n++ ? ',' : ''}\n${JSON.stringify(e)}` : `${JSON.stringify(e)}\n`;
        await write(chunk);
      }
      next = await pages.next();
    }
    if (format === 'json') await write('\n]\n');
    res.end();
  }

  /** CSV cells come from PostgreSQL as strings (no PII columns: subject.pii and actor.ip are not exported as CSV). */
  private async writeCsv(tenantId: string, filter: EventFilter, write: (chunk: string) => Promise<void>, closed: () => boolean): Promise<void> {
    let after: { at: string; id: string } | undefined;
    while (!closed()) {
      const rows = await this.repository.csvPage(tenantId, filter, CSV_PAGE, after);
      if (!rows.length) return;
      const last = rows[rows.length - 1];
      after = { at: last[last.length - 1]!, id: last[0]! };
      // Small chunks: a string over ~128 KB is allocated straight in V8's old generation and only
      // freed by a full collection, which would let the heap grow with the size of the export.
      for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
        await write(stringify(rows.slice(i, i + CHUNK_ROWS).map((r) => r.slice(0, EXPORT_COLUMNS.length).map((c) => (c === null ? '' : csvSafe(c))))));
      }
      if (rows.length < CSV_PAGE) return;
    }
  }

  private async *pages(tenantId: string, filter: EventFilter) {
    let after: { at: string; id: string } | undefined;
    for (;;) {
      const rows = await this.repository.listEvents(tenantId, filter, PAGE, after, 'asc');
      if (!rows.length) return;
      yield await this.records.toEvents(tenantId, rows);
      if (rows.length < PAGE) return;
      const last = rows[rows.length - 1];
      after = { at: new Date(last.occurred_at).toISOString(), id: last.event_id };
    }
  }
}
