import { ExportTraceServiceRequest } from './otlp-trace.proto';
import { otlpExportCost, spansOfExport } from './otlp-export-cost';

const attribute = (key: string, value: string) => ({ key, value: { stringValue: value } });
const span = (operation: string) => ({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', attributes: [attribute('gen_ai.operation.name', operation)] });
/** An OTLP/JSON export of three tool calls and a chat span. */
const exportOf = () => ({ resourceSpans: [{ scopeSpans: [{ spans: [span('execute_tool'), span('chat'), span('execute_tool'), span('execute_tool')] }] }] });

describe('otlpExportCost', () => {
  it('should cost two tokens per tool call span when the export is protobuf or JSON', () => {
    const protobuf = Buffer.from(ExportTraceServiceRequest.encode(ExportTraceServiceRequest.fromObject(exportOf())).finish());
    expect(otlpExportCost(exportOf())).toBe(6);
    expect(otlpExportCost(protobuf)).toBe(6);
    expect(otlpExportCost({ resourceSpans: [] })).toBe(1);
  });

  it('should cost one token when the export does not decode, and leave other bodies to the events count', () => {
    expect(otlpExportCost(Buffer.from([0x0a, 0xff, 0xff]))).toBe(1);
    expect(otlpExportCost({ resourceSpans: {} })).toBe(1);
    expect(otlpExportCost({ events: [{ type: 'action.attempted' }] })).toBeUndefined();
    expect(otlpExportCost(undefined)).toBeUndefined();
  });

  it('should decode a body once when the rate limit read it before the handler, refusals included', () => {
    const body = exportOf();
    otlpExportCost(body);
    expect(spansOfExport(body, false)).toBe(spansOfExport(body, false));
    const broken = Buffer.from([0x0a, 0xff, 0xff]);
    expect(otlpExportCost(broken)).toBe(1);
    expect(() => spansOfExport(broken, true)).toThrow(expect.objectContaining({ status: 400, code: 'malformed_protobuf' }));
  });
});
