import { SpanStatusCode } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ApiError } from '@agent-ledger/runtime';
import { SPAN_STATUS } from './otlp-span';
import { ExportTraceServiceRequest } from './otlp-trace.proto';
import { readJsonTraces, readProtobufTraces } from './otlp-trace.reader';

/** Two spans recorded by the OpenTelemetry SDK: a failed tool call with an exception, and a chat span. */
function recordedSpans() {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': 'support-service' }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('reader-spec');
  const tool = tracer.startSpan('execute_tool refund_order', {
    startTime: [1_764_000_000, 5_000],
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'refund_order', count: 3, ratio: 0.5, ok: true, tags: ['a', 'b'] },
  });
  tool.recordException(new Error('card declined'));
  tool.setStatus({ code: SpanStatusCode.ERROR, message: 'declined' });
  tool.end([1_764_000_001, 10_000]);
  tracer.startSpan('chat', { attributes: { 'gen_ai.operation.name': 'chat' } }).end();
  return exporter.getFinishedSpans();
}

function refusal(read: () => unknown): ApiError {
  try {
    read();
  } catch (err) {
    return err as ApiError;
  }
  throw new Error('expected a refusal');
}

describe('OTLP trace reader', () => {
  const spans = recordedSpans();
  const [tool] = spans;

  it('should read the same spans from protobuf and OTLP/JSON when the OpenTelemetry SDK serialized them', () => {
    const fromProtobuf = readProtobufTraces(Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!));
    const fromJson = readJsonTraces(JSON.parse(Buffer.from(JsonTraceSerializer.serializeRequest(spans)!).toString('utf8')));
    expect(fromJson).toEqual(fromProtobuf);
    expect(fromProtobuf).toHaveLength(2);
    expect(fromProtobuf[0]).toMatchObject({
      traceId: tool.spanContext().traceId,
      spanId: tool.spanContext().spanId,
      traceFlags: 1,
      name: 'execute_tool refund_order',
      startTimeUnixNano: 1_764_000_000_000_005_000n,
      endTimeUnixNano: 1_764_000_001_000_010_000n,
      status: { code: SPAN_STATUS.error, message: 'declined' },
    });
    expect(Object.fromEntries(fromProtobuf[0].attributes)).toEqual({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'refund_order', count: 3, ratio: 0.5, ok: true, tags: ['a', 'b'] });
    expect(fromProtobuf[0].events.map((e) => [e.name, e.attributes.get('exception.message')])).toEqual([['exception', 'card declined']]);
    expect(fromProtobuf[0].resource.get('service.name')).toBe('support-service');
  });

  it('should read 64-bit integers given as numbers or strings in OTLP/JSON', () => {
    const span = (start: unknown, count: unknown) => ({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 'AB', startTimeUnixNano: start, attributes: [{ key: 'n', value: { intValue: count } }] }] }] }] });
    const [a] = readJsonTraces(span('1764000000000000000', '12'));
    const [b] = readJsonTraces(span(1_700_000_000, 12));
    expect([a.startTimeUnixNano, a.attributes.get('n'), a.traceId]).toEqual([1_764_000_000_000_000_000n, 12, 'ab']);
    expect([b.startTimeUnixNano, b.attributes.get('n')]).toEqual([1_700_000_000n, 12]);
  });

  it('should refuse with 400 malformed_protobuf when the body is not a protobuf request', () => {
    expect(refusal(() => readProtobufTraces(Buffer.from('{"resourceSpans":[]}')))).toMatchObject({ status: 400, code: 'malformed_protobuf', field: '(body)' });
    const truncated = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans)!).subarray(0, 40);
    expect(refusal(() => readProtobufTraces(truncated))).toMatchObject({ status: 400, code: 'malformed_protobuf' });
  });

  it('should name the field by JSON pointer when an OTLP/JSON field has the wrong type', () => {
    expect(refusal(() => readJsonTraces([]))).toMatchObject({ status: 400, code: 'invalid_otlp_body', field: '(body)' });
    expect(refusal(() => readJsonTraces({ resourceSpans: {} }))).toMatchObject({ status: 400, field: '/resourceSpans' });
    expect(refusal(() => readJsonTraces({ events: [{ type: 'action.attempted' }] }))).toMatchObject({ status: 400, code: 'invalid_otlp_body', field: '/resourceSpans' });
    expect(readJsonTraces({ resourceSpans: [], unknownField: 1 })).toEqual([]);
    const withSpan = (span: object) => ({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] });
    expect(refusal(() => readJsonTraces(withSpan({ startTimeUnixNano: true })))).toMatchObject({ field: '/resourceSpans/0/scopeSpans/0/spans/0/startTimeUnixNano' });
    expect(refusal(() => readJsonTraces(withSpan({ attributes: [{ key: 'k', value: { intValue: 1.5 } }] })))).toMatchObject({ field: '/resourceSpans/0/scopeSpans/0/spans/0/attributes/0/value/intValue' });
    expect(refusal(() => readJsonTraces(withSpan({ status: { code: 'ERROR' } })))).toMatchObject({ field: '/resourceSpans/0/scopeSpans/0/spans/0/status/code' });
  });

  it('should refuse attribute values nested deeper than 16 levels', () => {
    let value: object = { stringValue: 'leaf' };
    for (let i = 0; i < 20; i++) value = { arrayValue: { values: [value] } };
    const request = { resourceSpans: [{ scopeSpans: [{ spans: [{ attributes: [{ key: 'deep', value }] }] }] }] };
    const encoded = Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(request)).finish());
    expect(refusal(() => readProtobufTraces(encoded))).toMatchObject({ status: 400, code: 'invalid_otlp_body' });
    expect(refusal(() => readJsonTraces(request))).toMatchObject({ status: 400, code: 'invalid_otlp_body' });
  });
});
