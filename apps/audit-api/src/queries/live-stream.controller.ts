import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ApiKeyAuthenticator, bearerToken, CurrentTenant, LookupUnavailableException, RequireScope } from '@agent-ledger/auth';
import { ApiError, ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { TenantDatabase } from '@agent-ledger/persistence';
import { PiiAccess } from '../privacy/pii-access';
import { LiveStreams, STREAM_OPTIONS, type StreamOptions } from './live-streams';
import { eventFilterSchema, instant, type EventFilter } from './query-filters';
import { RecordsRepository, type RecordingPosition } from './records.repository';
import { streamContent } from './records.responses';
import { RecordsService } from './records.service';

/** How far back each poll looks: a batch transaction commits after its recorded_at (its start). */
const LOOKBACK_MS = 5_000;
/** Rows read (and sent) at a time: a replay holds one page in memory, never the tenant's history. */
const PAGE = 1_000;
const POLL_MS = 500;
const HEARTBEAT_MS = 15_000;

/** The stream's own parameter, next to the events filters. */
const sinceSchema = z.object({ since: instant('since').optional().describe('Replay the events recorded since this time (RFC 3339)') });

const streamSchema = sinceSchema
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
  off(event: 'close' | 'drain', cb: () => void): void;
  end(): void;
}

/** Writes a chunk; when the socket's buffer is full, waits until it drains (or the client left). */
async function writeWithBackpressure(res: SseResponse, chunk: string): Promise<void> {
  if (res.write(chunk)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}

const errorEvent = (code: string, message: string) => `event: error\ndata: ${JSON.stringify({ code, message })}\n\n`;

/**
 * Server-sent events of newly recorded events, with the events filters. Each poll reads the rows
 * recorded in the last few seconds (a batch becomes visible at commit, after its recorded_at) and
 * skips those already sent, so no committed event is missed or sent twice. Bounds: `since` at most
 * maxReplayHours back (400 since_too_old), a replay read and sent page by page at the client's pace,
 * streams capped per tenant and per process (429 too_many_streams), and the key checked again on
 * each poll and page: a revoked key's stream ends with `event: error` `key_revoked`.
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
    private readonly authenticator: ApiKeyAuthenticator,
    @Inject(STREAM_OPTIONS) private readonly options: StreamOptions,
  ) {}

  /** Every matching row recorded since `since`, page by page (keyset on recorded_at, partition, chain_seq). */
  private async *pagesSince(tenantId: string, filter: EventFilter, since: Date) {
    let after: RecordingPosition | undefined;
    for (;;) {
      const page = await this.repository.eventsRecordedSince(tenantId, filter, since, PAGE, after);
      if (page.length) yield page;
      if (page.length < PAGE) return;
      after = page[page.length - 1].position;
    }
  }

  @Get()
  @ApiOperation({
    summary:
      'Server-sent events (`event: ledger-event`) of new events matching the filters; `since` replays from a time (at most AUDIT_API_STREAM_MAX_REPLAY_HOURS back); the stream ends with `event: error` when the key is revoked',
  })
  @ApiInput({ query: eventFilterSchema })
  @ApiInput({ query: sinceSchema })
  @ApiOutput({
    200: { content: streamContent, description: 'An open stream of server-sent events' },
    429: { schema: null, description: 'too_many_streams: the tenant or the process has as many streams open as allowed; Retry-After' },
  })
  async stream(@CurrentTenant() tenantId: string, @PiiAccess() pii: boolean, @Headers('authorization') authorization: string | undefined, @Query() query: unknown, @Res() res: SseResponse): Promise<void> {
    const { since, filter } = parseInput(streamSchema, query, 'query');
    const [{ now }] = await this.db.query<{ now: Date }>(tenantId, 'SELECT now() AS now');
    const oldest = new Date(now).getTime() - this.options.maxReplayHours * 3_600_000;
    if (since && since.getTime() < oldest) {
      throw ApiError.badRequest('since_too_old', `since may reach at most ${this.options.maxReplayHours} h back (not before ${new Date(oldest).toISOString()}); use GET /v1/events or /v1/export for older events`, 'since');
    }
    const token = bearerToken(authorization) ?? '';

    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      clearTimeout(timer);
      unregister();
      res.end();
    };
    const unregister = this.streams.add(tenantId, stop);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();
    res.write(`retry: 2000\n: connected\n\n`);
    res.once('close', stop);

    /** Ends the stream with an error event unless the key is still live. */
    const keyStillValid = async (): Promise<boolean> => {
      const problem = await this.authenticator.authenticate(token).then(
        (key) => (key ? undefined : errorEvent('key_revoked', 'the API key of this stream was revoked')),
        (err: unknown) => errorEvent(err instanceof LookupUnavailableException ? 'auth_unavailable' : 'stream_failed', 'the API key could not be checked again; reconnect'),
      );
      if (!problem) return true;
      if (!stopped) res.write(problem);
      stop();
      return false;
    };

    // Rows already visible when the stream opened are not news; rows of batches still committing are.
    const start = since ? since.getTime() : new Date(now).getTime();
    const sent = new Map<string, number>(); // eventId → recorded_at (ms)
    if (!since) for await (const page of this.pagesSince(tenantId, filter, new Date(start - LOOKBACK_MS))) for (const r of page) sent.set(r.event_id, new Date(r.recorded_at).getTime());
    let highest = start;
    let lastWrite = Date.now();
    const poll = async () => {
      if (stopped || !(await keyStillValid())) return;
      try {
        const floor = since ? Math.max(start, highest - LOOKBACK_MS) : highest - LOOKBACK_MS;
        for await (const page of this.pagesSince(tenantId, filter, new Date(floor))) {
          if (stopped) break;
          const rows = page.filter((r) => !sent.has(r.event_id));
          if (rows.length) {
            const events = await this.records.toEvents(tenantId, rows, pii);
            let chunk = '';
            for (const e of events) chunk += `id: ${e.eventId}\nevent: ledger-event\ndata: ${JSON.stringify(e)}\n\n`;
            if (!stopped) await writeWithBackpressure(res, chunk);
            lastWrite = Date.now();
            for (const r of rows) {
              const at = new Date(r.recorded_at).getTime();
              sent.set(r.event_id, at);
              highest = Math.max(highest, at);
            }
          }
          for (const [id, at] of sent) if (at < highest - 2 * LOOKBACK_MS) sent.delete(id);
          // A long replay may take minutes at the client's pace: the key is checked between pages too.
          if (page.length === PAGE && !(await keyStillValid())) return;
        }
        if (Date.now() - lastWrite > HEARTBEAT_MS && !stopped) {
          res.write(`: keep-alive\n\n`);
          lastWrite = Date.now();
        }
      } catch {
        if (!stopped) res.write(errorEvent('stream_failed', 'reading new events failed; reconnect'));
        stop();
        return;
      }
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    await poll();
  }
}
