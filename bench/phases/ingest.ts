import { ACTION_EVENT_SCHEMA_VERSION, ACTION_EVENTS_TOPIC, SCHEMA_VERSION_HEADER } from '@agent-ledger/contracts';
import { uniqueSuffix } from '@agent-ledger/testing';
import type { BenchContext } from '../lib/context';
import { loadEventInput, stamped } from '../lib/events';
import { request } from '../lib/http';
import { cpuMeter } from '../lib/resources';
import { median, round, summarize, type LatencySummary } from '../lib/stats';

type Kind = 'http-batch' | 'raw-batch' | 'http-single' | 'raw-single';

export interface IngestRun {
  kind: Kind;
  run: number;
  batchSize: number;
  concurrency: number;
  seconds: number;
  events: number;
  requests: number;
  errors: number;
  eventsPerSec: number;
  requestLatency: LatencySummary;
}

export interface IngestResult {
  batchSize: number;
  batchConcurrency: number;
  singleConcurrency: number;
  secondsPerRun: number;
  httpBatchEventsPerSec: number;
  rawBatchEventsPerSec: number;
  ratioToRawProducer: number;
  httpSingleEventsPerSec: number;
  rawSingleEventsPerSec: number;
  singleRatioToRawProducer: number;
  ingestApiCpuSecondsPer10kEvents: number;
  runs: IngestRun[];
}

/**
 * POST /v1/events (batches of 100 and single events) against a raw kafkajs producer writing the same
 * stamped messages to the same topic (idempotent, acks=all, like ingest's), same concurrency, same
 * duration; the runs alternate so that background noise falls on both sides.
 */
export async function ingestPhase(ctx: BenchContext): Promise<IngestResult> {
  const s = ctx.sizes.ingest;
  const producer = ctx.kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  const url = `${ctx.front.url('ingest-api')}/v1/events`;
  const key = ctx.tenant.apiKeys.ingest;
  const tenantId = ctx.tenant.tenantId;
  const ingestPid = ctx.front.service('ingest-api').pid!;
  let httpEvents = 0;
  let httpCpu = 0;

  const sendHttp = async (run: string, start: number, n: number): Promise<boolean> => {
    const inputs = Array.from({ length: n }, (_, k) => loadEventInput(run, start + k));
    const answer = await request('POST', url, key, JSON.stringify(n === 1 ? inputs[0] : { events: inputs }));
    return answer.status === 202;
  };
  const sendRaw = async (run: string, start: number, n: number): Promise<boolean> => {
    const messages = Array.from({ length: n }, (_, k) => {
      const { event, key: messageKey } = stamped(tenantId, loadEventInput(run, start + k));
      return { key: messageKey, value: JSON.stringify(event), headers: { [SCHEMA_VERSION_HEADER]: ACTION_EVENT_SCHEMA_VERSION } };
    });
    await producer.send({ topic: ACTION_EVENTS_TOPIC, acks: -1, messages });
    return true;
  };

  async function measure(kind: Kind, runNo: number, batchSize: number, concurrency: number): Promise<IngestRun> {
    const send = kind.startsWith('http') ? sendHttp : sendRaw;
    const run = `ing-${uniqueSuffix()}`;
    let next = 0;
    // Warm-up (connections, JIT), not counted.
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let k = 0; k < 3; k++) await send(run, (next += batchSize) - batchSize, batchSize);
    }));
    const latencies: number[] = [];
    let events = 0;
    let errors = 0;
    const cpu = cpuMeter([{ name: 'ingest-api', pid: ingestPid }]);
    const started = performance.now();
    const deadline = started + s.seconds * 1_000;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          const ok = await send(run, (next += batchSize) - batchSize, batchSize).catch(() => false);
          latencies.push(performance.now() - t0);
          if (ok) events += batchSize;
          else errors++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1_000;
    if (kind.startsWith('http')) {
      httpEvents += events;
      httpCpu += cpu()['ingest-api'];
    }
    const result = { kind, run: runNo, batchSize, concurrency, seconds: round(seconds, 2), events, requests: latencies.length, errors, eventsPerSec: round(events / seconds), requestLatency: summarize(latencies) };
    ctx.log(`  ingest ${kind} run ${runNo}: ${result.eventsPerSec} events/s (${events} events, ${errors} errors)`);
    return result;
  }

  const runs: IngestRun[] = [];
  try {
    for (let r = 1; r <= s.runs; r++) {
      const order: Kind[][] = r % 2 ? [['http-batch', 'raw-batch'], ['http-single', 'raw-single']] : [['raw-batch', 'http-batch'], ['raw-single', 'http-single']];
      for (const pair of order) {
        for (const kind of pair) {
          const single = kind.endsWith('single');
          runs.push(await measure(kind, r, single ? 1 : s.batchSize, single ? s.singleConcurrency : s.batchConcurrency));
        }
      }
    }
  } finally {
    await producer.disconnect();
  }
  const rate = (kind: Kind) => median(runs.filter((x) => x.kind === kind).map((x) => x.eventsPerSec));
  const httpBatch = rate('http-batch');
  const rawBatch = rate('raw-batch');
  const httpSingle = rate('http-single');
  const rawSingle = rate('raw-single');
  return {
    batchSize: s.batchSize,
    batchConcurrency: s.batchConcurrency,
    singleConcurrency: s.singleConcurrency,
    secondsPerRun: s.seconds,
    httpBatchEventsPerSec: httpBatch,
    rawBatchEventsPerSec: rawBatch,
    ratioToRawProducer: round(httpBatch / rawBatch, 3),
    httpSingleEventsPerSec: httpSingle,
    rawSingleEventsPerSec: rawSingle,
    singleRatioToRawProducer: round(httpSingle / rawSingle, 3),
    ingestApiCpuSecondsPer10kEvents: round((httpCpu / httpEvents) * 10_000, 2),
    runs,
  };
}
