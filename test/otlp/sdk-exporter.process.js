// Records spans with the OpenTelemetry SDK and sends them with its OTLP/HTTP exporter, in a plain
// Node.js process: the exporters load `http` with a dynamic import(), which jest's module sandbox
// does not run. Used by otlp-intake.e2e-spec.ts.
//
// argv[2]: JSON job {url, key, encoding: 'protobuf'|'json', compression?: 'gzip', via: 'batch'|'export',
//   repeat?: n, spans: [{tool, callId, session, ms, error?} | {chat: session}]}
// stdout: JSON {results: [{code, httpCode?, message?}]}, one per export call.
const { SpanStatusCode } = require('@opentelemetry/api');
const { OTLPTraceExporter: JsonExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { OTLPTraceExporter: ProtoExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');

const job = JSON.parse(process.argv[2]);
const Exporter = job.encoding === 'protobuf' ? ProtoExporter : JsonExporter;
const exporter = new Exporter({ url: job.url, headers: { authorization: `Bearer ${job.key}` }, timeoutMillis: 10_000, ...(job.compression ? { compression: job.compression } : {}) });

/** Every export call's result, as the exporter reported it. */
const results = [];
const recording = {
  export: (spans, done) =>
    exporter.export(spans, (result) => {
      results.push({ code: result.code, httpCode: result.error?.code, message: result.error?.message });
      done(result);
    }),
  shutdown: () => exporter.shutdown(),
  forceFlush: () => exporter.forceFlush?.(),
};

function record(tracer) {
  const now = Date.now() - 5_000;
  for (const s of job.spans) {
    if (s.chat) {
      tracer.startSpan('chat gpt-4o', { attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.conversation.id': s.chat } }).end();
      continue;
    }
    const span = tracer.startSpan(`execute_tool ${s.tool}`, {
      startTime: now,
      attributes: {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': s.tool,
        'gen_ai.tool.call.id': s.callId,
        'gen_ai.conversation.id': s.session,
        'gen_ai.agent.name': 'refund-bot',
        'agent_ledger.tool.risk_level': 'destructive',
      },
    });
    if (s.error) {
      span.recordException(new Error(s.error));
      span.setStatus({ code: SpanStatusCode.ERROR });
    }
    span.end(now + s.ms);
  }
}

async function main() {
  const resource = resourceFromAttributes({ 'service.name': 'otlp-e2e-agent' });
  if (job.via === 'batch') {
    // The usual setup: spans go out in batches as they end.
    const provider = new BasicTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(recording)] });
    record(provider.getTracer('otlp-e2e'));
    await provider.forceFlush();
    await provider.shutdown();
  } else {
    // The same ended spans handed to the exporter `repeat` times: what a retried export sends.
    const memory = new InMemorySpanExporter();
    record(new BasicTracerProvider({ resource, spanProcessors: [new SimpleSpanProcessor(memory)] }).getTracer('otlp-e2e'));
    for (let i = 0; i < (job.repeat ?? 1); i++) await new Promise((resolve) => recording.export(memory.getFinishedSpans(), resolve));
    await exporter.shutdown();
  }
  process.stdout.write(JSON.stringify({ results }));
}

main().catch((err) => {
  process.stderr.write(`${err.stack ?? err}\n`);
  process.exit(1);
});
