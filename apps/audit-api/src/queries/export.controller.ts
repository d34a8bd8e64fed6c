import { Controller, Get, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { stringify } from 'csv-stringify/sync';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { PiiAccess } from '../privacy/pii-access';
import { sendDownload, type DownloadResponse } from '../shared/streamed-download';
import { exportSchema, type EventFilter } from './query-filters';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';
import { csvSafe, EXPORT_COLUMNS } from './export-format';
import { exportContent } from './records.responses';

const PAGE = 500;
const CSV_PAGE = 1_000;
const CHUNK_ROWS = 50;
const CONTENT_TYPES = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8', jsonl: 'application/x-ndjson; charset=utf-8' };

/**
 * Streams every event matching the filters, oldest first, page by page: memory stays flat. The
 * first page is read before the status and headers are sent (a failure is an ordinary error
 * answer); a failure later aborts the connection (docs/api-errors.md).
 */
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
  @ApiOutput({
    200: { content: exportContent, description: 'The events, oldest first, in the media type of `format` (a download; a failure after the headers breaks the transfer)' },
    409: { schema: null, description: 'before_retention_horizon: `from` reaches into a purged period' },
  })
  async export(@CurrentTenant() tenantId: string, @PiiAccess() pii: boolean, @Query() query: unknown, @Res() res: DownloadResponse): Promise<void> {
    const { format, ...filter } = parseInput(exportSchema, query, 'query');
    await this.records.assertLive(tenantId, filter.from);
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const chunks = format === 'csv' ? this.csvChunks(tenantId, filter) : this.jsonChunks(tenantId, filter, format, pii);
    await sendDownload(res, { contentType: CONTENT_TYPES[format], filename: `agent-ledger-events-${stamp}.${format}` }, chunks);
  }

  /**
   * CSV cells come from PostgreSQL as strings (no PII columns: subject.pii and actor.ip are not
   * exported as CSV). The header row is yielded after the first page was read. Small chunks: a
   * string over ~128 KB is allocated straight in V8's old generation and only freed by a full
   * collection, which would let the heap grow with the size of the export.
   */
  private async *csvChunks(tenantId: string, filter: EventFilter): AsyncGenerator<string> {
    let rows = await this.repository.csvPage(tenantId, filter, CSV_PAGE);
    yield stringify([EXPORT_COLUMNS]);
    for (;;) {
      for (let i = 0; i < rows.length; i += CHUNK_ROWS) {
        yield stringify(rows.slice(i, i + CHUNK_ROWS).map((r) => r.slice(0, EXPORT_COLUMNS.length).map((c) => (c === null ? '' : csvSafe(c)))));
      }
      if (rows.length < CSV_PAGE) return;
      const last = rows[rows.length - 1];
      rows = await this.repository.csvPage(tenantId, filter, CSV_PAGE, { at: last[last.length - 1]!, id: last[0]! });
    }
  }

  /** JSON (one array) or JSON lines, PII as the key's scopes allow; the opening bracket is yielded after the first page was read. */
  private async *jsonChunks(tenantId: string, filter: EventFilter, format: 'json' | 'jsonl', pii: boolean): AsyncGenerator<string> {
    let after: { at: string; id: string } | undefined;
    let n = 0;
    let opened = false;
    for (;;) {
      const rows = await this.repository.listEvents(tenantId, filter, PAGE, after, 'asc');
      const items = await this.records.toEvents(tenantId, rows, pii);
      const codes = await this.repository.anomalyCodesOf(tenantId, items.flatMap((i) => (typeof i.event.actionId === 'string' ? [i.event.actionId] : [])));
      if (!opened && format === 'json') yield '[';
      opened = true;
      for (let i = 0; i < items.length; i += CHUNK_ROWS) {
        let chunk = '';
        for (const item of items.slice(i, i + CHUNK_ROWS)) {
          const e = { ...item, anomalyCodes: (typeof item.event.actionId === 'string' && codes.get(item.event.actionId)) || [] };
          chunk += format === 'json' ? `${n++ ? ',' : ''}\n${JSON.stringify(e)}` : `${JSON.stringify(e)}\n`;
        }
        yield chunk;
      }
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1];
      after = { at: new Date(last.occurred_at).toISOString(), id: last.event_id };
    }
    if (format === 'json') yield '\n]\n';
  }
}
