import { ACTION_EVENTS_TOPIC } from '@agent-ledger/contracts';
import type { Kafka } from '@agent-ledger/kafka';
import { uniqueSuffix } from '@agent-ledger/testing';
import type { Client } from 'pg';
import { loadEventInput } from './events';
import { request } from './http';
import { cpuMeter, machineBusy, stackCpuMeter, type ProcessRef } from './resources';
import { round, sleep, slope, summarize, type LatencySummary } from './stats';

type Admin = ReturnType<Kafka['admin']>;

export interface LoadTarget {
  ingestUrl: string;
  apiUrl: string;
  ingestKey: string;
  readKey: string;
  db: Client;
  admin: Admin;
  projectorGroup: string;
  services: ProcessRef[];
}

export interface LoadOptions {
  rate: number;
  seconds: number;
  batchSize: number;
  probesPerSec: number;
  probeTimeoutMs: number;
  drainTimeoutMs: number;
}

export interface LoadRun {
  offeredPerSec: number;
  /** The window the load was offered for. */
  windowSeconds: number;
  /** From the first request to the last answer. */
  seconds: number;
  batchSize: number;
  requestsSent: number;
  /** Batches not sent because 256 requests were already waiting (the offered load was not taken). */
  requestsNotSent: number;
  eventsAccepted: number;
  eventsRejected: number;
  acceptedPerSec: number;
  requestLatency: LatencySummary;
  /** POST sent → the probe's action is listed by audit-api (GET /v1/actions), per probe. */
  visibility: LatencySummary;
  visibilityMs: number[];
  probeTimeouts: number;
  lag: { samples: { t: number; lag: number }[]; start: number; end: number; max: number; growthPerSec: number };
  drainSeconds: number;
  drained: boolean;
  /** CPU seconds per service from the start of the load until the projector caught up. */
  cpuSeconds: Record<string, number>;
  /** CPU seconds of PostgreSQL, Kafka and Redis over the same time. */
  stackCpuSeconds: Record<string, number>;
  machineBusy: number;
}

/** A projector group's next offset per partition of the action events topic, as stored with its rows. */
export async function storedOffsets(db: Client, group: string): Promise<Map<number, bigint>> {
  const { rows } = await db.query(`SELECT kafka_partition, next_offset::text AS next FROM consumer_offsets WHERE group_id = $1 AND topic = $2`, [group, ACTION_EVENTS_TOPIC]);
  return new Map(rows.map((r) => [r.kafka_partition as number, BigInt(r.next)]));
}

/** Messages of the action events topic not yet stored by the group (high watermark − stored next offset). */
export async function projectorLag(t: Pick<LoadTarget, 'db' | 'admin' | 'projectorGroup'>): Promise<number> {
  const high = await t.admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC);
  const stored = await storedOffsets(t.db, t.projectorGroup);
  return Number(high.reduce((a, h) => a + BigInt(h.high) - (stored.get(h.partition) ?? 0n), 0n));
}

/** Waits until the projector has (nearly) caught up; returns whether it did within the time. */
export async function waitForDrain(t: Pick<LoadTarget, 'db' | 'admin' | 'projectorGroup'>, timeoutMs: number, below = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await projectorLag(t)) <= below) return true;
    await sleep(250);
  }
  return false;
}

/**
 * An open-loop load: batches posted to ingest at a fixed schedule whatever the answers take (up to
 * 256 requests in flight), one probe action per 1/probesPerSec, all watched through one audit-api
 * list request every 20 ms until visible, and the projector's lag sampled every 500 ms.
 */
export async function runLoad(t: LoadTarget, o: LoadOptions): Promise<LoadRun> {
  const run = `e2e-${uniqueSuffix()}`;
  const interval = (1_000 * o.batchSize) / o.rate;
  const requestMs: number[] = [];
  const visibilityMs: number[] = [];
  let probeTimeouts = 0;
  let accepted = 0;
  let rejected = 0;
  let sent = 0;
  let notSent = 0;
  let inFlight = 0;
  let index = 0;
  const pending: Promise<void>[] = [];
  const lagSamples: { t: number; lag: number }[] = [];

  // Probes are watched together: one list request for the run's probe session every 20 ms, however
  // many are outstanding. (Polling each probe's action on its own cost audit-api a third of a core at
  // 1,000 events/s, which the pipeline's CPU figure then counted.)
  const probeSession = `${run}-probes`;
  const outstanding = new Map<string, number>();
  let watching = true;
  const watcher = (async () => {
    while (watching || outstanding.size) {
      if (outstanding.size) {
        const answer = await request('GET', `${t.apiUrl}/v1/actions?sessionId=${encodeURIComponent(probeSession)}&limit=1000`, t.readKey).catch(() => undefined);
        const now = performance.now();
        if (answer?.status === 200) {
          for (const item of (JSON.parse(answer.body) as { items: { actionId: string }[] }).items) {
            const t0 = outstanding.get(item.actionId);
            if (t0 === undefined) continue;
            visibilityMs.push(now - t0);
            outstanding.delete(item.actionId);
          }
        }
        for (const [actionId, t0] of outstanding) {
          if (now - t0 <= o.probeTimeoutMs) continue;
          probeTimeouts++;
          outstanding.delete(actionId);
        }
      }
      await sleep(20);
    }
  })();

  const cpu = cpuMeter(t.services);
  const stackCpu = stackCpuMeter();
  const busy = machineBusy();
  const started = performance.now();
  const end = started + o.seconds * 1_000;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const lag = await projectorLag(t).catch(() => NaN);
      lagSamples.push({ t: round((performance.now() - started) / 1_000, 2), lag });
      await sleep(500);
    }
  })();

  let next = started;
  let lastProbe = -Infinity;
  while (next < end) {
    const now = performance.now();
    if (now < next) {
      await sleep(Math.min(next - now, 20));
      continue;
    }
    const due = next;
    next += interval;
    if (inFlight >= 256) {
      notSent++;
      continue;
    }
    const events = Array.from({ length: o.batchSize }, () => loadEventInput(run, index++));
    const probe = o.probesPerSec > 0 && due - lastProbe >= 1_000 / o.probesPerSec ? events[0].actionId : undefined;
    if (probe) {
      lastProbe = due;
      // The probe action's two events (attempted, executed) in the probe session, where the watcher looks.
      for (const e of events.filter((e) => e.actionId === probe)) e.sessionId = probeSession;
    }
    const body = JSON.stringify({ events });
    inFlight++;
    sent++;
    const t0 = performance.now();
    pending.push(
      request('POST', `${t.ingestUrl}/v1/events`, t.ingestKey, body)
        .then((answer) => {
          requestMs.push(answer.ms);
          if (answer.status === 202) {
            accepted += o.batchSize;
            if (probe) outstanding.set(probe, t0);
          } else rejected += o.batchSize;
        })
        .catch(() => {
          rejected += o.batchSize;
        })
        .finally(() => {
          inFlight--;
        }),
    );
  }
  await Promise.all(pending);
  const loadSeconds = (performance.now() - started) / 1_000;
  const inWindow = lagSamples.filter((s) => s.t <= o.seconds && Number.isFinite(s.lag));
  watching = false;
  await watcher;
  const drainStarted = performance.now();
  const drained = await waitForDrain(t, o.drainTimeoutMs);
  const drainSeconds = (performance.now() - drainStarted) / 1_000;
  sampling = false;
  await sampler;
  const lags = inWindow.map((s) => s.lag);
  return {
    offeredPerSec: o.rate,
    windowSeconds: o.seconds,
    seconds: round(loadSeconds, 2),
    batchSize: o.batchSize,
    requestsSent: sent,
    requestsNotSent: notSent,
    eventsAccepted: accepted,
    eventsRejected: rejected,
    acceptedPerSec: round(accepted / loadSeconds),
    requestLatency: summarize(requestMs),
    visibility: summarize(visibilityMs),
    visibilityMs: visibilityMs.map((v) => round(v, 1)),
    probeTimeouts,
    lag: {
      samples: lagSamples,
      start: lags[0] ?? NaN,
      end: lags.at(-1) ?? NaN,
      max: lags.length ? Math.max(...lags) : NaN,
      growthPerSec: round(slope(inWindow.map((s) => ({ x: s.t, y: s.lag })))),
    },
    drainSeconds: round(drainSeconds, 2),
    drained,
    cpuSeconds: cpu(),
    stackCpuSeconds: stackCpu(),
    machineBusy: round(busy(), 3),
  };
}

/** Consumer groups other than `own` that stored action-event offsets in the database since `since` (other projectors on the same database). */
export async function otherProjectors(db: Client, own: string[], since: Date): Promise<string[]> {
  const { rows } = await db.query(`SELECT DISTINCT group_id FROM consumer_offsets WHERE topic = $1 AND updated_at >= $2 AND NOT (group_id = ANY($3::text[])) ORDER BY 1`, [ACTION_EVENTS_TOPIC, since, own]);
  return rows.map((r) => r.group_id as string);
}
