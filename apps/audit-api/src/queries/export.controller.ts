import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, parseInput } from '@agent-ledger/runtime';
import { exportSchema, type EventFilter } from './query-filters';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { csvSafe, EXPORT_COLUMNS, exportRow } from './export-format';

interface StreamingResponse {
  setHeader(name: string, value: string): void;
  write(chunk: string): boolean;
  once(event: 'drain' | 'close', cb: () => void): void;
  end(): void;
  destroyed?: boolean;
}

const PAGE = 1_000;
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
    let next = await pages.next();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    res.setHeader('Content-Type', CONTENT_TYPES[format]);
    res.setHeader('Content-Disposition', `attachment; filename="agent-ledger-events-${stamp}.${format}"`);
    res.setHeader('Cache-Control', 'no-store');
    let closed = false;
    res.once('close', () => (closed = true));
    const write = async (chunk: string) => {
      if (!res.write(chunk)) await new Promise<void>((r) => res.once('drain', r));
    };
    if (format === 'csv') await write(stringify([EXPORT_COLUMNS]));
    if (format === 'json') await write('[');
    let n = 0;
    while (!next.done && !closed) {
      const items = next.value;
      if (format === 'csv') await write(stringify(items.map((e) => exportRow(e).map(csvSafe))));
      else {
        let chunk = '';
        for (const e of items) chunk += format === 'json' ? `${n++ ? ',' : ''}\n${JSON.stringify(e)}` : `${JSON.stringify(e)}\n`;
        await write(chunk);
      }
      next = await pages.next();
    }
    if (format === 'json') await write('\n]\n');
    res.end();
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
