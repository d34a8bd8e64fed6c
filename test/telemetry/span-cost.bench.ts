/**
 * What tracing costs a consumer and ingest, in CPU time: per batch of Kafka messages carrying
 * `traceparent`, the batch span with links (what the consumer host does) against a span per
 * message (what @opentelemetry/instrumentation-kafkajs does), and ingest's span per published event.
 * Spans go through the SDK's batch processor to an OTLP/HTTP JSON exporter, whose receiver runs in
 * a child process (its CPU is not counted). A benchmark: it reports numbers, it asserts nothing.
 *
 *   npx esbuild test/telemetry/span-cost.bench.ts --bundle --platform=node --outfile=/tmp/span-cost.js && node /tmp/span-cost.js
 */
import { spawn } from 'node:child_process';
import { trace } from '@opentelemetry/api';
import { injectTraceHeaders, startTelemetry, stopTelemetry, withConsumerBatchSpan, withMessageSpan, withPublishSpans, withSpan } from '@agent-ledger/telemetry';

const BATCH = Number(process.env.BENCH_BATCH ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 200);

async function startReceiver(): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, ['-e', "const s=require('http').createServer((q,r)=>{q.resume();q.on('end',()=>r.end('{}'))});s.listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

async function messages(n: number): Promise<{ headers: Record<string, string> }[]> {
  const out: { headers: Record<string, string> }[] = [];
  for (let i = 0; i < n; i += 1) out.push({ headers: await withSpan('producer', async () => injectTraceHeaders({ 'x-ledger-schema': 'action-event.v1' }), { kind: 'producer' }) });
  return out;
}

/** Exports every span still queued (its serialization is part of the cost). */
async function flush(): Promise<void> {
  const provider = trace.getTracerProvider() as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
  await provider.getDelegate?.().forceFlush?.();
}

/** CPU microseconds (user + system) per round of fn, export included, after a warm-up. */
async function cpuPerRound(fn: () => Promise<void>): Promise<number> {
  for (let i = 0; i < 20; i += 1) await fn();
  await flush();
  const start = process.cpuUsage();
  for (let i = 0; i < ROUNDS; i += 1) {
    await fn();
    // Every few rounds, as the batch processor would between its exports: nothing is dropped for a full queue.
    if (i % 4 === 3) await flush();
  }
  await flush();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / ROUNDS;
}

async function main(): Promise<void> {
  const receiver = await startReceiver();
  process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
  process.env.OTEL_EXPORTER_OTLP_PROTOCOL = process.env.OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json';
  startTelemetry('span-cost-bench');
  const batch = await messages(BATCH);
  const handle = async () => undefined;
  const describe = { topic: 'agent-ledger.action-events.v1', partition: 0, groupId: 'bench' };

  const rows: [string, number][] = [];
  rows.push(['no span (baseline)', await cpuPerRound(handle)]);
  rows.push(['batch span with links', await cpuPerRound(() => withConsumerBatchSpan({ ...describe, messages: batch }, handle))]);
  rows.push(['batch span + a span per message', await cpuPerRound(() => withConsumerBatchSpan({ ...describe, messages: batch }, async () => {
    for (const m of batch) await withMessageSpan('process', m.headers, handle);
  }))]);
  const specs = batch.map((_, i) => ({ attributes: { 'gen_ai.tool.name': 'refund_order', 'gen_ai.tool.call.id': `action-${i}`, 'messaging.destination.name': describe.topic } }));
  rows.push(['a publish span per event (ingest)', await cpuPerRound(() => withPublishSpans(`${describe.topic} send`, specs, handle))]);

  console.log(`${BATCH} messages per batch, ${ROUNDS} rounds, OTLP ${process.env.OTEL_EXPORTER_OTLP_PROTOCOL}, ${process.version}`);
  for (const [what, us] of rows) console.log(`${what.padEnd(34)} ${(us / 1000).toFixed(2).padStart(8)} ms CPU per batch  ${(us / BATCH).toFixed(2).padStart(7)} µs per message`);
  await stopTelemetry();
  receiver.stop();
}

void main();
