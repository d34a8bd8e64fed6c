import { validateActionEventInput } from '@agent-ledger/contracts';
import { DEFAULT_RISK_LEVEL, mapGenAiSpan, spanEventId } from './genai-span.mapper';
import { SPAN_STATUS, type AttributeValue, type OtlpSpan } from './otlp-span';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const START = 1_764_000_000_000_000_000n;

/** An `execute_tool` span of 12.5 ms, with the attributes given (undefined removes one). */
function toolSpan(attributes: Record<string, AttributeValue | undefined> = {}, overrides: Partial<OtlpSpan> = {}): OtlpSpan {
  const attrs: Record<string, AttributeValue | undefined> = { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'refund_order', 'gen_ai.tool.call.id': 'call_42', 'gen_ai.conversation.id': 'conv-7', 'gen_ai.agent.id': 'agent-1', 'gen_ai.agent.name': 'Support bot', ...attributes };
  return {
    traceId: TRACE,
    spanId: SPAN,
    traceFlags: 1,
    name: 'execute_tool refund_order',
    startTimeUnixNano: START,
    endTimeUnixNano: START + 12_500_000n,
    attributes: new Map(Object.entries(attrs).filter((e): e is [string, AttributeValue] => e[1] !== undefined)),
    events: [],
    status: { code: SPAN_STATUS.unset, message: '' },
    resource: new Map([['service.name', 'support-service']]),
    ...overrides,
  };
}

function actionOf(span: OtlpSpan) {
  const outcome = mapGenAiSpan(span);
  if (outcome.kind !== 'action') throw new Error(`expected an action, got ${JSON.stringify(outcome)}`);
  return outcome.events;
}

describe('mapGenAiSpan', () => {
  it('should map a tool call span to action.attempted at its start and action.executed at its end when its status is not ERROR', () => {
    const [attempted, executed] = actionOf(toolSpan({ 'agent_ledger.tool.risk_level': 'destructive', 'gen_ai.tool.call.arguments': '{"orderId":"o-1","amount":20}', 'gen_ai.tool.call.result': '{"refunded":true}' }));
    const common = {
      actionId: 'call_42',
      sessionId: 'conv-7',
      agent: { id: 'agent-1', name: 'Support bot' },
      tool: { name: 'refund_order', riskLevel: 'destructive' },
      traceparent: `00-${TRACE}-${SPAN}-01`,
    };
    expect(attempted).toEqual({ ...common, type: 'action.attempted', eventId: spanEventId(TRACE, SPAN, 'action.attempted'), occurredAt: '2025-11-24T16:00:00.000Z', input: { orderId: 'o-1', amount: 20 } });
    expect(executed).toEqual({
      ...common,
      type: 'action.executed',
      eventId: spanEventId(TRACE, SPAN, 'action.executed'),
      occurredAt: '2025-11-24T16:00:00.012Z',
      durationMs: 12.5,
      output: { refunded: true },
      inputHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('should map a span with status ERROR to action.failed with the status message, else the exception event\'s', () => {
    const [, failed] = actionOf(toolSpan({ 'error.type': 'timeout' }, { status: { code: SPAN_STATUS.error, message: 'upstream timed out' } }));
    expect(failed).toMatchObject({ type: 'action.failed', eventId: spanEventId(TRACE, SPAN, 'action.failed'), durationMs: 12.5, error: { message: 'upstream timed out', code: 'timeout' } });
    const exception = { name: 'exception', attributes: new Map<string, AttributeValue>([['exception.message', 'card declined'], ['exception.type', 'PaymentError']]) };
    const [, fromEvent] = actionOf(toolSpan({}, { status: { code: SPAN_STATUS.error, message: '' }, events: [exception] }));
    expect(fromEvent.error).toEqual({ message: 'card declined', code: 'PaymentError' });
  });

  it('should fall back to the span name, span id, trace id, service name and the moderate risk level when the attributes are absent', () => {
    const [attempted] = actionOf(toolSpan({ 'gen_ai.tool.name': undefined, 'gen_ai.tool.call.id': undefined, 'gen_ai.conversation.id': undefined, 'gen_ai.agent.id': undefined, 'gen_ai.agent.name': undefined }));
    expect(attempted).toMatchObject({ tool: { name: 'refund_order', riskLevel: DEFAULT_RISK_LEVEL }, actionId: SPAN, sessionId: TRACE, agent: { id: 'support-service', name: 'support-service' } });
    expect(DEFAULT_RISK_LEVEL).toBe('moderate');
  });

  it('should derive the same valid event ids when the same span is mapped again, and other ids for another span or type', () => {
    const first = actionOf(toolSpan()).map((e) => e.eventId);
    expect(actionOf(toolSpan()).map((e) => e.eventId)).toEqual(first);
    expect(new Set([...first, spanEventId(TRACE, 'aaaaaaaaaaaaaaaa', 'action.attempted'), spanEventId(TRACE, SPAN, 'action.failed')]).size).toBe(4);
    expect(first[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(validateActionEventInput({ type: 'action.attempted', actionId: 'a', eventId: first[0] }).ok).toBe(true);
  });

  it('should ignore a span when it is not a tool call', () => {
    expect(mapGenAiSpan(toolSpan({ 'gen_ai.operation.name': 'chat' }))).toEqual({ kind: 'ignored', reason: 'not_tool_call' });
    expect(mapGenAiSpan(toolSpan({ 'gen_ai.operation.name': undefined }))).toEqual({ kind: 'ignored', reason: 'not_tool_call' });
  });

  it.each([
    ['invalid_ids', toolSpan({}, { traceId: '0'.repeat(32) })],
    ['invalid_ids', toolSpan({}, { spanId: 'abc' })],
    ['invalid_times', toolSpan({}, { endTimeUnixNano: START - 1n })],
    ['invalid_times', toolSpan({}, { startTimeUnixNano: 0n })],
    ['missing_tool_name', toolSpan({ 'gen_ai.tool.name': undefined }, { name: 'tool call' })],
    ['invalid_risk_level', toolSpan({ 'agent_ledger.tool.risk_level': 'high' })],
    ['invalid_event', toolSpan({ 'gen_ai.tool.name': 'x'.repeat(201) })],
    ['invalid_event', toolSpan({ 'gen_ai.conversation.id': 'a\u0000b' })],
  ])('should reject a tool call span as %s when it cannot be recorded', (reason, span) => {
    expect(mapGenAiSpan(span)).toEqual({ kind: 'rejected', reason, message: expect.stringContaining(`span ${span.spanId}`) });
  });
});
