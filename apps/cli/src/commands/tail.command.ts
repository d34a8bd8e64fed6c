import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { ExitCode, type CliError } from '../errors/cli.error';
import { SseParser, type ServerSentEvent } from '@agent-ledger/contracts';
import { addFilterOptions } from '../options/filter-options';
import { filtersToQuery, integerIn, parseInstant, type FilterFlags } from '../options/option-parsers';
import { formatEventLine } from '../output/event-line';
import { pick } from '../output/format';

interface TailFlags extends FilterFlags {
  json?: boolean;
  limit?: number;
  since?: string;
}

/** Control events a stream may carry besides ledger events (heartbeats, greetings): not printed. */
const CONTROL_EVENTS = new Set(['heartbeat', 'ping', 'keepalive', 'keep-alive', 'ready', 'open', 'hello', 'connected']);
const MAX_BACKOFF_MS = 30_000;

/** The ledger event a server-sent event carries, or undefined for control events and non-JSON data. */
export function ledgerEventOf(sse: ServerSentEvent): Record<string, unknown> | undefined {
  if (CONTROL_EVENTS.has(sse.event)) return undefined;
  try {
    const value = JSON.parse(sse.data);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The last `capacity` ids seen, to skip events a resumed stream sends again. */
class RecentIds {
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** False when the id was seen already. */
  add(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value as string);
    return true;
  }
}

function streamErrorText(data: string): string {
  try {
    const e = JSON.parse(data) as { code?: string; message?: string };
    return [e.code, e.message].filter(Boolean).join(': ') || data;
  } catch {
    return data;
  }
}

export function registerTailCommand(program: Command, ctx: CommandContext): void {
  const cmd = program
    .command('tail')
    .description('print new events as they are recorded (server-sent events); resumes where it left off after a drop')
    .option('--json', 'one JSON object per event (JSON lines)')
    .option('--limit <n>', 'stop after n events', integerIn(1, 10_000_000))
    .option('--since <time>', 'first replay the events recorded since this instant (same forms as --from)', (v) => parseInstant(v))
    .addHelpText('after', '\nExamples:\n  agent-ledger tail\n  agent-ledger tail --risk critical --type action.executed\n  agent-ledger tail --session conv-7 --since 10m --json | jq .event.type');
  addFilterOptions(cmd, { actionState: true, context: true, eventFields: true });
  cmd.action(async (flags: TailFlags, command: Command) => {
    const client = ctx.client(command);
    const { json: _j, limit: _l, since, ...filters } = flags;
    const query: Record<string, string> = { ...filtersToQuery(filters), ...(since ? { since } : {}) };
    const stop = ctx.io.signal;
    let lastEventId: string | undefined;
    /** Recording time of the last event printed: on reconnect the stream replays from there. */
    let lastRecordedAt: string | undefined;
    const printedIds = new RecentIds(10_000);
    let retryMs = 1_000;
    let failures = 0;
    let connected = false;
    let printed = 0;

    while (!stop?.aborted) {
      const connection = new AbortController();
      const signal = stop ? AbortSignal.any([stop, connection.signal]) : connection.signal;
      const parser = new SseParser();
      try {
        const resume = lastRecordedAt ? { since: lastRecordedAt } : {};
        const res = await client.open('/v1/stream', { ...query, ...resume }, { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) }, signal);
        if (!connected && ctx.io.stderr.isTTY) ctx.err(`tailing ${client.connection.baseUrl} (Ctrl-C to stop)`);
        connected = true;
        failures = 0;
        if (!res.body) throw client.transferError(new Error('no body'));
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          for (const sse of parser.feed(chunk)) {
            if (sse.event === 'error') {
              // The server reports a failure and closes the stream: say so, then reconnect.
              ctx.err(`agent-ledger: the stream reported a problem: ${streamErrorText(sse.data)}`);
              continue;
            }
            const event = ledgerEventOf(sse);
            if (!event) continue;
            const id = sse.id ?? (pick(event, 'eventId', 'event.eventId') as string | undefined);
            if (id && !printedIds.add(id)) continue; // replayed after a reconnect
            const recordedAt = pick(event, 'recordedAt', 'event.recordedAt');
            if (typeof recordedAt === 'string') lastRecordedAt = recordedAt;
            ctx.out(flags.json ? JSON.stringify(event) : formatEventLine(event));
            printed += 1;
            if (flags.limit && printed >= flags.limit) {
              // Close the connection, then leave (whatever the closed body throws is expected).
              connection.abort();
              break;
            }
          }
          lastEventId = parser.lastEventId ?? lastEventId;
          if (connection.signal.aborted) break;
        }
        lastEventId = parser.lastEventId ?? lastEventId;
      } catch (err) {
        lastEventId = parser.lastEventId ?? lastEventId;
        if (stop?.aborted || connection.signal.aborted) return;
        const cliError = (err as CliError).exitCode !== undefined ? (err as CliError) : client.transferError(err);
        // Before the first connection, or for anything but a network problem (bad key, bad filter): give up.
        if (!connected || cliError.exitCode !== ExitCode.Unreachable) throw cliError;
        failures += 1;
      }
      if (connection.signal.aborted) return;
      retryMs = parser.retryMs ?? retryMs;
      const delay = Math.min(MAX_BACKOFF_MS, retryMs * 2 ** Math.min(failures, 5));
      ctx.err(`stream interrupted; reconnecting in ${(delay / 1_000).toFixed(1)}s${lastEventId ? ` from event ${lastEventId}` : ''}`);
      try {
        await sleep(delay, undefined, { signal: stop });
      } catch {
        return;
      }
    }
  });
}
