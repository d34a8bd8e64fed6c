import { context, isSpanContextValid, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Link, type Span, type SpanContext } from '@opentelemetry/api';
import {
  ATTR_MESSAGING_BATCH_MESSAGE_COUNT,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  type SpanAttributes,
} from './semconv';
import { currentTraceparent, extractTraceContext, runInSpan, type MessageHeaders } from './tracing';

/**
 * Spans of messaging: one CONSUMER span per consumed batch, linked to the producers of its messages;
 * a span per message where one message's work produces further messages or jobs (so their trace
 * continues the one that produced the message); one PRODUCER span per published message.
 */

/** Links a batch span keeps (the SDK's default OTEL_SPAN_LINK_COUNT_LIMIT); headers past it are not read. */
export const MAX_BATCH_LINKS = 128;

const tracer = () => trace.getTracer('agent-ledger');

function validContextOf(headers: MessageHeaders | undefined): SpanContext | undefined {
  const sc = trace.getSpanContext(extractTraceContext(headers));
  return sc && isSpanContextValid(sc) ? sc : undefined;
}

function endWith(span: Span, err?: unknown): void {
  if (err !== undefined) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
  }
  span.end();
}

export interface ConsumedBatch {
  topic: string;
  partition: number;
  groupId: string;
  messages: readonly { headers?: MessageHeaders }[];
}

/**
 * Runs fn (the processing of one partition batch) inside a new trace's CONSUMER span named
 * `<topic> process`, linked to the span context each message carries (up to {@link MAX_BATCH_LINKS}).
 */
export async function withConsumerBatchSpan<T>(batch: ConsumedBatch, fn: () => Promise<T>): Promise<T> {
  const links: Link[] = [];
  for (const m of batch.messages) {
    if (links.length >= MAX_BATCH_LINKS) break;
    const sc = validContextOf(m.headers);
    if (sc) links.push({ context: sc });
  }
  const attributes: SpanAttributes = {
    [ATTR_MESSAGING_SYSTEM]: 'kafka',
    [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
    [ATTR_MESSAGING_OPERATION_NAME]: 'process',
    [ATTR_MESSAGING_DESTINATION_NAME]: batch.topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(batch.partition),
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: batch.groupId,
    [ATTR_MESSAGING_BATCH_MESSAGE_COUNT]: batch.messages.length,
  };
  return tracer().startActiveSpan(`${batch.topic} process`, { kind: SpanKind.CONSUMER, links, attributes, root: true }, (span) => runInSpan(span, fn));
}

/**
 * Runs fn (the work of one message) in a span whose parent is the message's producer span, linked to
 * the active span (the batch's): what fn publishes or queues continues the message's trace. A message
 * without trace context gets a child of the active span instead.
 */
export async function withMessageSpan<T>(name: string, headers: MessageHeaders | undefined, fn: () => Promise<T>, attributes: SpanAttributes = {}): Promise<T> {
  const producer = validContextOf(headers);
  const active = trace.getSpanContext(context.active());
  const parent = producer ? trace.setSpanContext(context.active(), producer) : context.active();
  const links: Link[] = producer && active && isSpanContextValid(active) ? [{ context: active }] : [];
  return tracer().startActiveSpan(name, { kind: producer ? SpanKind.CONSUMER : SpanKind.INTERNAL, links, attributes }, parent, (span) => runInSpan(span, fn));
}

/** One message about to be published: its span's attributes, and a trace context it should link to (e.g. the agent's own). */
export interface OutgoingMessageSpan {
  attributes?: SpanAttributes;
  linkTraceparent?: string;
}

/**
 * Opens one PRODUCER span per message (children of the active span), calls send with each span's
 * `traceparent` (to travel in that message's headers), and ends the spans with send's outcome.
 */
export async function withPublishSpans<T>(name: string, messages: readonly OutgoingMessageSpan[], send: (traceparents: (string | undefined)[]) => Promise<T>): Promise<T> {
  const active = context.active();
  const spans = messages.map((m) => {
    const linked = m.linkTraceparent ? validContextOf({ traceparent: m.linkTraceparent }) : undefined;
    return tracer().startSpan(name, { kind: SpanKind.PRODUCER, attributes: m.attributes, links: linked ? [{ context: linked }] : [] }, active);
  });
  const traceparents = spans.map((s) => currentTraceparent(trace.setSpan(ROOT_CONTEXT, s)));
  try {
    const out = await send(traceparents);
    for (const s of spans) endWith(s);
    return out;
  } catch (err) {
    for (const s of spans) endWith(s, err);
    throw err;
  }
}

