import { Root, type Type } from 'protobufjs/light';

/**
 * The OTLP trace messages ingest reads and answers with (opentelemetry-proto
 * `collector/trace/v1/trace_service.proto`, `trace/v1/trace.proto`, `common/v1/common.proto`,
 * `resource/v1/resource.proto`), as a protobufjs descriptor: protobufjs decodes and encodes them.
 * Field names are the OTLP/JSON names (lowerCamelCase), so a decoded protobuf request has the shape
 * of a JSON one. Fields ingest does not read (links, dropped counts, trace state, schema URLs) are
 * left out: the decoder skips unknown fields, as protobuf requires.
 */
const fields = (spec: Record<string, [number, string, ('repeated' | undefined)?]>) =>
  Object.fromEntries(Object.entries(spec).map(([name, [id, type, rule]]) => [name, rule ? { id, type, rule } : { id, type }]));

const OTLP_TRACE_DESCRIPTOR = {
  nested: {
    otlp: {
      nested: {
        AnyValue: {
          oneofs: { value: { oneof: ['stringValue', 'boolValue', 'intValue', 'doubleValue', 'arrayValue', 'kvlistValue', 'bytesValue'] } },
          fields: fields({
            stringValue: [1, 'string'],
            boolValue: [2, 'bool'],
            intValue: [3, 'int64'],
            doubleValue: [4, 'double'],
            arrayValue: [5, 'ArrayValue'],
            kvlistValue: [6, 'KeyValueList'],
            bytesValue: [7, 'bytes'],
          }),
        },
        ArrayValue: { fields: fields({ values: [1, 'AnyValue', 'repeated'] }) },
        KeyValueList: { fields: fields({ values: [1, 'KeyValue', 'repeated'] }) },
        KeyValue: { fields: fields({ key: [1, 'string'], value: [2, 'AnyValue'] }) },
        InstrumentationScope: { fields: fields({ name: [1, 'string'], version: [2, 'string'], attributes: [3, 'KeyValue', 'repeated'] }) },
        Resource: { fields: fields({ attributes: [1, 'KeyValue', 'repeated'] }) },
        Status: { fields: fields({ message: [2, 'string'], code: [3, 'int32'] }) },
        SpanEvent: { fields: fields({ timeUnixNano: [1, 'fixed64'], name: [2, 'string'], attributes: [3, 'KeyValue', 'repeated'] }) },
        Span: {
          fields: fields({
            traceId: [1, 'bytes'],
            spanId: [2, 'bytes'],
            parentSpanId: [4, 'bytes'],
            flags: [16, 'fixed32'],
            name: [5, 'string'],
            kind: [6, 'int32'],
            startTimeUnixNano: [7, 'fixed64'],
            endTimeUnixNano: [8, 'fixed64'],
            attributes: [9, 'KeyValue', 'repeated'],
            events: [11, 'SpanEvent', 'repeated'],
            status: [15, 'Status'],
          }),
        },
        ScopeSpans: { fields: fields({ scope: [1, 'InstrumentationScope'], spans: [2, 'Span', 'repeated'] }) },
        ResourceSpans: { fields: fields({ resource: [1, 'Resource'], scopeSpans: [2, 'ScopeSpans', 'repeated'] }) },
        ExportTraceServiceRequest: { fields: fields({ resourceSpans: [1, 'ResourceSpans', 'repeated'] }) },
        ExportTracePartialSuccess: { fields: fields({ rejectedSpans: [1, 'int64'], errorMessage: [2, 'string'] }) },
        ExportTraceServiceResponse: { fields: fields({ partialSuccess: [1, 'ExportTracePartialSuccess'] }) },
      },
    },
  },
};

const root = Root.fromJSON(OTLP_TRACE_DESCRIPTOR);

export const ExportTraceServiceRequest: Type = root.lookupType('otlp.ExportTraceServiceRequest');
export const ExportTraceServiceResponse: Type = root.lookupType('otlp.ExportTraceServiceResponse');
