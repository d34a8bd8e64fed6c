import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { ActionEventInput } from '@agent-ledger/contracts';

/** What one event's request was answered: an HTTP status (with its error code), or no answer at all. */
export interface EventOutcome {
  status: number | 'no_answer';
  code?: string;
  retryAfter?: string | null;
  /** When the answer arrived, in ms since the generator started. */
  at: number;
}

export interface LoadGeneratorOptions {
  url: string;
  key: string;
  /** Events per second, spread over ticks of `tickMs`. */
  ratePerSecond: number;
  /** Most events in one request. */
  batchSize: number;
  makeEvent(i: number): ActionEventInput;
  tickMs?: number;
  requestTimeoutMs?: number;
}

/**
 * Posts events to ingest at a steady rate — the schedule does not wait for answers, so an outage
 * shows up as errors, not as a slower load — and records each event's answer by eventId.
 */
export class LoadGenerator {
  readonly outcomes = new Map<string, EventOutcome>();
  private readonly inflight = new Set<Promise<void>>();
  private timer?: NodeJS.Timeout;
  private startedAt = 0;
  private scheduled = 0;
  peakInFlight = 0;
  /** This process's event-loop delay while sending: a starved client times out on its own. */
  private readonly loop: IntervalHistogram = monitorEventLoopDelay({ resolution: 20 });

  constructor(private readonly opts: LoadGeneratorOptions) {}

  /** ms since the generator started. */
  elapsed(): number {
    return Date.now() - this.startedAt;
  }

  get sent(): number {
    return this.scheduled;
  }

  start(): this {
    this.startedAt = Date.now();
    this.loop.enable();
    this.timer = setInterval(() => this.tick(), this.opts.tickMs ?? 20);
    return this;
  }

  /** Stops sending and waits for every request under way to be answered. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    while (this.inflight.size) await Promise.all([...this.inflight]);
    this.loop.disable();
  }

  /** The generator's own event-loop delay (ms) while it ran: p50, p99 and max. */
  loopDelayMs(): { p50: number; p99: number; max: number } {
    const ms = (ns: number) => Math.round(ns / 1e6);
    return { p50: ms(this.loop.percentile(50)), p99: ms(this.loop.percentile(99)), max: ms(this.loop.max) };
  }

  private tick(): void {
    const due = Math.floor((this.elapsed() * this.opts.ratePerSecond) / 1_000);
    while (this.scheduled < due) {
      const n = Math.min(this.opts.batchSize, due - this.scheduled);
      const events = Array.from({ length: n }, (_, i) => this.opts.makeEvent(this.scheduled + i));
      this.scheduled += n;
      const request = this.post(events).finally(() => this.inflight.delete(request));
      this.inflight.add(request);
      this.peakInFlight = Math.max(this.peakInFlight, this.inflight.size);
    }
  }

  private async post(events: ActionEventInput[]): Promise<void> {
    let outcome: EventOutcome;
    try {
      const res = await fetch(this.opts.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.opts.key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ events }),
        signal: AbortSignal.timeout(this.opts.requestTimeoutMs ?? 30_000),
      });
      const text = await res.text();
      let code: string | undefined;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code;
      } catch {
        code = 'not_json';
      }
      outcome = { status: res.status, code, retryAfter: res.headers.get('retry-after'), at: this.elapsed() };
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause;
      outcome = { status: 'no_answer', code: cause?.code ?? (err as Error).name, at: this.elapsed() };
    }
    for (const e of events) this.outcomes.set(e.eventId!, outcome);
  }
}

/** Counts of outcomes by status (and 5xx by code). */
export function tally(outcomes: Iterable<EventOutcome>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) {
    const key = typeof o.status === 'number' && o.status >= 500 ? `${o.status} ${o.code}` : o.status === 'no_answer' ? `no answer (${o.code})` : String(o.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Outcomes by when they were answered, in buckets of `bucketSeconds`: `[from second, tally]`, only buckets with an answer other than `only`. */
export function timeline(outcomes: Iterable<EventOutcome>, bucketSeconds: number, only = '202'): [number, Record<string, number>][] {
  const buckets = new Map<number, EventOutcome[]>();
  for (const o of outcomes) {
    const from = Math.floor(o.at / 1_000 / bucketSeconds) * bucketSeconds;
    const list = buckets.get(from) ?? [];
    list.push(o);
    buckets.set(from, list);
  }
  return [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([from, list]) => [from, tally(list)] as [number, Record<string, number>])
    .filter(([, counts]) => Object.keys(counts).some((k) => k !== only));
}
