import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, NoopSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { readTelemetryConfig } from './config/telemetry.config';

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry Node SDK. Called from each app's instrument.ts, before anything else is
 * imported, so the HTTP instrumentation can patch the modules it wraps.
 */
export function startTelemetry(serviceName: string, extraProcessors: SpanProcessor[] = []): void {
  if (sdk) return;
  const cfg = readTelemetryConfig();
  if (cfg.disabled) return;
  const processors: SpanProcessor[] = [...extraProcessors];
  if (cfg.otlpEndpoint) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  // The SDK registers a tracer provider only when it has a processor. Without an exporter the
  // spans are still created (real trace ids, propagated through HTTP and Kafka), just not exported.
  if (!processors.length) processors.push(new NoopSpanProcessor());
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: processors,
    textMapPropagator: new W3CTraceContextPropagator(),
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => /^\/(health|metrics)/.test(req.url ?? ''),
      }),
    ],
  });
  sdk.start();
}

export async function stopTelemetry(): Promise<void> {
  const s = sdk;
  sdk = undefined;
  await s?.shutdown().catch(() => undefined);
}

type HeaderValue = Buffer | string | (Buffer | string)[] | undefined;
export type MessageHeaders = Record<string, HeaderValue>;

const headerGetter = {
  keys: (carrier: MessageHeaders) => Object.keys(carrier),
  get: (carrier: MessageHeaders, key: string) => {
    const v = carrier[key];
    if (v === undefined) return undefined;
    const first = Array.isArray(v) ? v[0] : v;
    return first === undefined ? undefined : first.toString();
  },
};

/** Writes the active (or given) trace context into Kafka message headers (`traceparent`, `tracestate`). */
export function injectTraceHeaders(headers: Record<string, string> = {}, ctx: Context = context.active()): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/** Reads the W3C trace context from Kafka message headers. */
export function extractTraceContext(headers: MessageHeaders | undefined): Context {
  return propagation.extract(ROOT_CONTEXT, headers ?? {}, headerGetter);
}

/** The `traceparent` of the active span, if any (stored with events). */
export function currentTraceparent(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** Runs fn inside a span (child of parent, or of the active context), recording errors. */
export async function withSpan<T>(
  name: string,
  fn: () => Promise<T>,
  opts: { parent?: Context; kind?: 'producer' | 'consumer' | 'internal'; attributes?: Record<string, string | number | boolean> } = {},
): Promise<T> {
  const tracer = trace.getTracer('agent-ledger');
  const kind = opts.kind === 'producer' ? SpanKind.PRODUCER : opts.kind === 'consumer' ? SpanKind.CONSUMER : SpanKind.INTERNAL;
  return tracer.startActiveSpan(name, { kind, attributes: opts.attributes }, opts.parent ?? context.active(), async (span) => {
    try {
      return await fn();
    } catch (err) {
      span.recordException(err as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}
