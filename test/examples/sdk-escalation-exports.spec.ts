import { ESCALATION_EVENT_SCHEMA_VERSION, ESCALATION_EVENT_TYPES, ESCALATIONS_TOPIC, escalationEventKey, escalationsCodec, SCHEMA_VERSION_HEADER, validateEscalationEvent, type EscalationEvent } from '@agent-ledger/sdk';

// What a subscriber of the escalations topic takes from the SDK alone (examples/escalation-consumer-ts).
describe('@agent-ledger/sdk escalation exports', () => {
  const opened: EscalationEvent = {
    type: 'escalation.opened',
    eventId: '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
    escalationId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
    tenantId: '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d',
    sessionId: 'sess_7',
    occurredAt: '2025-03-01T10:05:00Z',
    reason: 'customer_request',
    severity: 'warning',
    summary: 'The customer asked for a human',
    customerMessage: 'A colleague will take over.',
    triggeringEventIds: [],
    count: 1,
  };

  it('should name the topic, its schema header and its key when a consumer subscribes', () => {
    expect(ESCALATIONS_TOPIC).toBe('agent-ledger.escalations.v1');
    expect([SCHEMA_VERSION_HEADER, ESCALATION_EVENT_SCHEMA_VERSION]).toEqual(['x-ledger-schema', 'escalation-event.v1']);
    expect(escalationEventKey(opened.tenantId, opened.sessionId)).toBe(`${opened.tenantId}:sess_7`);
    expect(ESCALATION_EVENT_TYPES).toContain('escalation.opened');
  });

  it('should validate an escalation event and name the invalid field when it is not one', () => {
    expect(validateEscalationEvent(opened)).toEqual({ ok: true, value: opened });
    expect(validateEscalationEvent({ ...opened, reason: 'bored' })).toMatchObject({ ok: false, errors: [{ pointer: '/reason', code: 'enum' }] });
  });

  it('should decode a consumed message with its headers when given the codec', () => {
    const encoded = escalationsCodec.encode(opened);
    const decoded = escalationsCodec.decode({ key: Buffer.from(encoded.key), value: Buffer.from(encoded.value), headers: { [SCHEMA_VERSION_HEADER]: Buffer.from(ESCALATION_EVENT_SCHEMA_VERSION) } });

    expect(decoded).toEqual({ ok: true, value: opened, meta: { schemaVersion: ESCALATION_EVENT_SCHEMA_VERSION } });
  });
});
