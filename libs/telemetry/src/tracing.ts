import { context, isSpanContextValid, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context, type Span } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, ConsoleSpanExporter, NoopSpanProcessor, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { readTelemetryConfig, type TelemetryConfig } from './config/telemetry.config';
import { ledgerInstrumentations } from './instrumentations';
import type { SpanAttributes } from './semconv';

let sdk: NodeSDK | undefined;

function exporterOf(cfg: TelemetryConfig): SpanProcessor | undefined {
  if (cfg.exporter === 'console') return new SimpleSpanProcessor(new ConsoleSpanExporter());
  if (cfg.exporter !== 'otlp' || !cfg.otlpEndpoint) return undefined;
  // The exporters read OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT/HEADERS/TIMEOUT/COMPRESSION themselves;
  // the batch processor reads OTEL_BSP_*.
  const exporter: SpanExporter = cfg.protocol === 'http/json' ? new OtlpJsonTraceExporter() : new OtlpProtoTraceExporter();
  return new BatchSpanProcessor(exporter);
}

/**
 * Starts the OpenTelemetry Node SDK. Called from each app's instrument.ts, before anything else is
 * imported, so the instrumentations can patch the modules they wrap. Only traces are set up:
 * metrics are Prometheus (metrics.ts), logs are JSON lines on stdout carrying trace_id/span_id.
 */
export function startTelemetry(serviceName: string, extraProcessors: SpanProcessor[] = []): void {
  if (sdk) return;
  let cfg: TelemetryConfig;
  try {
    cfg = readTelemetryConfig();
  } catch (err) {
    // Like any other configuration error: the service does not start, and says why.
    process.stderr.write(`${serviceName}: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (cfg.disabled) return;
  const processors: SpanProcessor[] = [...extraProcessors];
  const exporting = exporterOf(cfg);
  if (exporting) processors.push(exporting);
  // The SDK registers a tracer provider only when it has a processor. Without an exporter the
  // spans are still created (real trace ids, propagated through HTTP, Kafka and jobs), just not exported.
  if (!processors.length) processors.push(new NoopSpanProcessor());
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: processors,
    metricReaders: [],
    logRecordProcessors: [],
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: ledgerInstrumentations(),
  });
  sdk.start();
}

/** Flushes the spans still buffered and stops the SDK (at shutdown). */
export async function stopTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown().catch(() => undefined);
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
/** Kafka message headers, or any string record carrying `traceparent`/`tracestate` (a job's data). */
export type MessageHeaders = Record<string, HeaderValue | unknown>;

const headerGetter = {
  keys: (carrier: MessageHeaders) => Object.keys(carrier),
  get: (carrier: MessageHeaders, key: string) => {
    const v = carrier[key];
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') return first;
    return Buffer.isBuffer(first) ? first.toString() : undefined;
  },
};

/** Writes the active (or given) trace context into a carrier: Kafka headers, a job's data (`traceparent`, `tracestate`). */
export function injectTraceHeaders(headers: Record<string, string> = {}, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** Reads the W3C trace context from Kafka message headers or a job's data (the root context when there is none). */
export function extractTraceContext(headers: MessageHeaders | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers ?? {}, headerGetter);
}

/** The `traceparent` of the active span, if any (stored with events). */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** trace_id/span_id of the active span (for log lines); empty when no valid span is active. */
export function activeTraceIds(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const sc = trace.getSpan(context.active())?.spanContext();
  if (!sc || !isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId, trace_flags: `0${sc.traceFlags.toString(16)}`.slice(-2) };
}

const SPAN_KINDS = { producer: SpanKind.PRODUCER, consumer: SpanKind.CONSUMER, internal: SpanKind.INTERNAL, client: SpanKind.CLIENT } as const;

/** Runs fn and ends the span after it, recording the error (status ERROR) when fn throws. */
export async function runInSpan<T>(span: Span, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
    throw err;
  } finally {
    span.end();
  }
}

/** Runs fn inside a span (child of parent, or of the active context), recording errors. */
export async function withSpan<T>(
  name: string,
  fn: () => Promise<T>,
  opts: { parent?: Context; kind?: keyof typeof SPAN_KINDS; attributes?: SpanAttributes } = {},
): Promise<T> {
  const tracer = trace.getTracer('agent-ledger');
  return tracer.startActiveSpan(name, { kind: SPAN_KINDS[opts.kind ?? 'internal'], attributes: opts.attributes }, opts.parent ?? context.active(), (span) => runInSpan(span, fn));
}
