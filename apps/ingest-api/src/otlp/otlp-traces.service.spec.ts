import type { ActionEventInput } from '@agent-ledger/contracts';
import type { IngestService } from '../events/ingest.service';
import type { IngestSettings } from '../events/ingest.settings';
import { SPAN_STATUS, type OtlpSpan } from './otlp-span';
import { OtlpTracesService } from './otlp-traces.service';

const tenantId = '3f1c2b7e-8d9a-4c5b-9e6f-0a1b2c3d4e5f';

function span(i: number, operation = 'execute_tool', risk?: string): OtlpSpan {
  const attributes = new Map<string, string>([['gen_ai.operation.name', operation], ['gen_ai.tool.name', 'lookup']]);
  if (risk) attributes.set('agent_ledger.tool.risk_level', risk);
  return {
    traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
    spanId: (i + 1).toString(16).padStart(16, '0'),
    traceFlags: 1,
    name: 'span',
    startTimeUnixNano: 1_764_000_000_000_000_000n,
    endTimeUnixNano: 1_764_000_000_100_000_000n,
    attributes,
    events: [],
    status: { code: SPAN_STATUS.ok, message: '' },
    resource: new Map(),
  };
}

/** The service over an IngestService that records the bodies it is given. */
function serviceWith(maxEvents: number) {
  const bodies: { events: ActionEventInput[] }[] = [];
  const ingest = { ingest: async (_tenant: string, body: { events: ActionEventInput[] }) => bodies.push(body) } as unknown as IngestService;
  return { service: new OtlpTracesService(ingest, { maxEvents } as IngestSettings), bodies };
}

describe(OtlpTracesService.name, () => {
  it('should publish both events of each tool call span in requests of at most maxEvents events when an export is large', async () => {
    const { service, bodies } = serviceWith(5);
    const result = await service.export(tenantId, [0, 1, 2, 3, 4].map((i) => span(i)));
    expect(result).toEqual({});
    expect(bodies.map((b) => b.events.length)).toEqual([4, 4, 2]);
    expect(bodies.flatMap((b) => b.events.map((e) => e.type))).toEqual(Array(5).fill(['action.attempted', 'action.executed']).flat());
  });

  it('should ignore other spans without a partial success, and count rejected tool calls in it', async () => {
    const { service, bodies } = serviceWith(1000);
    expect(await service.export(tenantId, [span(0, 'chat'), span(1, 'embeddings')])).toEqual({});
    expect(bodies).toEqual([]);
    const result = await service.export(tenantId, [span(0), span(1, 'chat'), ...[2, 3, 4, 5, 6, 7].map((i) => span(i, 'execute_tool', 'extreme'))]);
    expect(bodies.flatMap((b) => b.events)).toHaveLength(2);
    expect(result.partialSuccess).toEqual({ rejectedSpans: 6, errorMessage: expect.stringMatching(/^6 tool call span\(s\) rejected: span 0000000000000003: .*; and 1 more$/) });
  });
});
