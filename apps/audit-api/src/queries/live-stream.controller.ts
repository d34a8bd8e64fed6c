import { Controller, Get, Injectable, Query, Res, type OnApplicationShutdown } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, parseInput } from '@agent-ledger/runtime';
import { TenantDatabase } from '@agent-ledger/persistence';
import { eventFilterSchema, instant, type EventFilter } from './query-filters';
import { RecordsRepository } from './records.repository';
import { RecordsService } from './records.service';

/** How far back each poll looks: a batch transaction commits after its recorded_at (its start). */
const LOOKBACK_MS = 5_000;
const PAGE = 2_000;
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;

const streamSchema = z
  .object({ since: instant('since').optional() })
  .passthrough()
  .transform((q, ctx) => {
    const { since, ...rest } = q;
    const filter = eventFilterSchema.safeParse(rest);
    if (!filter.success) {
      for (const issue of filter.error.issues) ctx.addIssue(issue);
      return z.NEVER;
    }
    return { since, filter: filter.data };
  });

interface SseResponse {
  setHeader(name: string, value: string): void;
  flushHeaders(): void;
  write(chunk: string): boolean;
  once(event: 'close' | 'drain', cb: () => void): void;
  end(): void;
}

/** Open streams, ended when the service shuts down (an open stream would hold the server). */
@Injectable()
export class LiveStreams implements OnApplicationShutdown {
  private readonly open = new Set<() => void>();

  add(stop: () => void): () => void {
    this.open.add(stop);
    return () => this.open.delete(stop);
  }

  onApplicationShutdown(): void {
    for (const stop of [...this.open]) stop();
  }
}

/**
 * Server-sent events of newly recorded events, with the events filters. Each poll reads the rows
 * recorded in the last few seconds (a batch becomes visible at commit, after its recorded_at) and
 * skips those already sent, so no committed event is missed or sent twice.
 */
@Controller('v1/stream')
@RequireScope('read')
@ApiTags('records')
@ApiKeyAuth()
export class LiveStreamController {
  constructor(
    private readonly repository: RecordsRepository,
    private readonly records: RecordsService,
    private readonly db: TenantDatabase,
    private readonly streams: LiveStreams,
  ) {}

  /**
   * Every matching row recorded since `since`, page by page: a replay from long ago (`since`) is
   * sent as it is read, never held in memory whole.
   */
  private async *pagesSince(tenantId: string, filter: EventFilter, since: Date) {
    let after: { at: Date; partition: number; seq: string } | undefined;
    for (;;) {
      const page = await this.repository.eventsRecordedSince(tenantId, filter, since, PAGE, after);
      if (page.length) yield page;
      if (page.length < PAGE) return;
      const last = page[page.length - 1];
      after = { at: last.recorded_at, partition: last.kafka_partition, seq: last.chain_seq };
    }
  }

  @Get()
  @ApiOperation({ summary: 'Server-sent events (`event: ledger-event`) of new events matching the filters; `since` replays from a time' })
  @ApiProduces('text/event-stream')
  @ApiInput({ query: eventFilterSchema })
  async stream(@CurrentTenant() tenantId: string, @Query() query: unknown, @Res() res: SseResponse): Promise<void> {
    const { since, filter } = parseInput(streamSchema, query, 'query');
    const [{ now }] = await this.db.query<{ now: Date }>(tenantId, 'SELECT now() AS now');
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 2000\n: connected\n\n`);

    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      unregister();
      res.end();
    };
    const unregister = this.streams.add(stop);
    res.once('close', stop);

    // Rows already visible when the stream opened are not news; rows of batches still committing are.
    const start = since ? since.getTime() : new Date(now).getTime();
    const sent = new Map<string, number>(); // eventId → recorded_at (ms)
    if (!since) for await (const page of this.pagesSince(tenantId, filter, new Date(start - LOOKBACK_MS))) for (const r of page) sent.set(r.event_id, new Date(r.recorded_at).getTime());
    let highest = start;
    let lastWrite = Date.now();
    const poll = async () => {
      if (stopped) return;
      try {
        const floor = since ? Math.max(start, highest - LOOKBACK_MS) : highest - LOOKBACK_MS;
        for await (const page of this.pagesSince(tenantId, filter, new Date(floor))) {
          if (stopped) break;
          const rows = page.filter((r) => !sent.has(r.event_id));
          if (rows.length) {
            const events = await this.records.toEvents(tenantId, rows);
            let chunk = '';
            for (const e of events) chunk += `id: ${e.eventId}\nevent: ledger-event\ndata: ${JSON.stringify(e)}\n\n`;
            if (!stopped && !res.write(chunk)) {
              await new Promise<void>((resolve) => {
                res.once('drain', resolve);
                res.once('close', resolve);
              });
            }
            lastWrite = Date.now();
            for (const r of rows) {
              const at = new Date(r.recorded_at).getTime();
              sent.set(r.event_id, at);
              highest = Math.max(highest, at);
            }
          }
          for (const [id, at] of sent) if (at < highest - 2 * LOOKBACK_MS) sent.delete(id);
        }
        if (Date.now() - lastWrite > HEARTBEAT_MS && !stopped) {
          res.write(`: keep-alive\n\n`);
          lastWrite = Date.now();
        }
      } catch {
        if (!stopped) res.write(`event: error\ndata: {"code":"stream_failed","message":"reading new events failed; reconnect"}\n\n`);
        stop();
        return;
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    await poll();
  }
}
