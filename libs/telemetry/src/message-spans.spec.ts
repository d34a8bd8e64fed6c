import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { withConsumerBatchSpan, withMessageSpan, withPublishSpans } from './message-spans';
import { currentTraceparent, injectTraceHeaders, startTelemetry, stopTelemetry, withSpan } from './tracing';

const exporter = new InMemorySpanExporter();
const traceIdOf = (traceparent: string | undefined) => traceparent?.split('-')[1];
const spanIdOf = (traceparent: string | undefined) => traceparent?.split('-')[2];

/** Headers of a message published inside a span of its own trace. */
async function publishedHeaders(): Promise<Record<string, string>> {
  return withSpan('producer', async () => injectTraceHeaders({}), { kind: 'producer' });
}

describe('message spans', () => {
  beforeAll(() => startTelemetry('message-spans-spec', [new SimpleSpanProcessor(exporter)]));
  afterAll(() => stopTelemetry());
  beforeEach(() => exporter.reset());

  it('should run a batch in a new trace linked to each message producer span when a batch is consumed', async () => {
    const a = await publishedHeaders();
    const b = await publishedHeaders();
    let inside: string | undefined;
    await withConsumerBatchSpan({ topic: 'topic-a', partition: 3, groupId: 'group-a', messages: [{ headers: a }, { headers: {} }, { headers: b }] }, async () => {
      inside = currentTraceparent();
    });

    const batch = exporter.getFinishedSpans().find((s) => s.name === 'topic-a process')!;
    expect(batch.kind).toBe(SpanKind.CONSUMER);
    expect(batch.parentSpanContext).toBeUndefined();
    expect(batch.links.map((l) => l.context.spanId)).toEqual([spanIdOf(a.traceparent), spanIdOf(b.traceparent)]);
    expect(batch.attributes).toMatchObject({ 'messaging.destination.name': 'topic-a', 'messaging.destination.partition.id': '3', 'messaging.consumer.group.name': 'group-a', 'messaging.batch.message_count': 3 });
    expect(spanIdOf(inside)).toBe(batch.spanContext().spanId);
  });

  it('should continue the producer trace and link the batch span when one message is handled', async () => {
    const headers = await publishedHeaders();
    let downstream: string | undefined;
    await withConsumerBatchSpan({ topic: 'topic-b', partition: 0, groupId: 'g', messages: [{ headers }] }, () =>
      withMessageSpan('handle', headers, async () => {
        downstream = currentTraceparent();
      }, { 'gen_ai.tool.name': 'refund_order' }),
    );

    const spans = exporter.getFinishedSpans();
    const handle = spans.find((s) => s.name === 'handle')!;
    const batch = spans.find((s) => s.name === 'topic-b process')!;
    expect(handle.spanContext().traceId).toBe(traceIdOf(headers.traceparent));
    expect(handle.parentSpanContext?.spanId).toBe(spanIdOf(headers.traceparent));
    expect(handle.links.map((l) => l.context.spanId)).toEqual([batch.spanContext().spanId]);
    expect(handle.attributes['gen_ai.tool.name']).toBe('refund_order');
    expect(traceIdOf(downstream)).toBe(traceIdOf(headers.traceparent));
  });

  it('should give each published message a span of its own under the active span and end them with the error when the send fails', async () => {
    const agent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    let sent: (string | undefined)[] = [];
    await withSpan('request', () => withPublishSpans('topic-c send', [{ attributes: { n: 1 } }, { attributes: { n: 2 }, linkTraceparent: agent }], async (traceparents) => {
      sent = traceparents;
    }));
    const spans = exporter.getFinishedSpans();
    const request = spans.find((s) => s.name === 'request')!;
    const published = spans.filter((s) => s.name === 'topic-c send');
    expect(published).toHaveLength(2);
    expect(new Set(sent.map(spanIdOf))).toEqual(new Set(published.map((s) => s.spanContext().spanId)));
    for (const s of published) {
      expect(s.kind).toBe(SpanKind.PRODUCER);
      expect(s.parentSpanContext?.spanId).toBe(request.spanContext().spanId);
    }
    expect(published.find((s) => s.attributes.n === 2)!.links.map((l) => l.context.traceId)).toEqual(['0af7651916cd43dd8448eb211c80319c']);

    exporter.reset();
    await expect(withPublishSpans('topic-c send', [{}], async () => Promise.reject(new Error('broker away')))).rejects.toThrow('broker away');
    expect(exporter.getFinishedSpans()[0].status).toMatchObject({ code: SpanStatusCode.ERROR, message: 'broker away' });
  });

  it('should start a child of the active span when a message carries no trace context', async () => {
    await withSpan('outer', () => withMessageSpan('handle', { other: 'x' }, async () => undefined));
    const spans = exporter.getFinishedSpans();
    const outer = spans.find((s) => s.name === 'outer')!;
    const handle = spans.find((s) => s.name === 'handle')!;
    expect(handle.parentSpanContext?.spanId).toBe(outer.spanContext().spanId);
    expect(handle.links).toEqual([]);
  });
});
