import type { EscalationEvent, EscalationOpenedEvent } from '@agent-ledger/contracts';
import type { EscalationNotice } from './notification-payload';

/** Test fixtures of notices (used by the unit tests of the renderers). */
export function anOpenedEvent(over: Partial<EscalationOpenedEvent> = {}): EscalationOpenedEvent {
  return {
    type: 'escalation.opened',
    eventId: '11111111-1111-4111-8111-111111111111',
    escalationId: '22222222-2222-4222-8222-222222222222',
    tenantId: '33333333-3333-4333-8333-333333333333',
    sessionId: 'sess-1',
    actionId: 'act-9',
    occurredAt: '2026-01-02T03:04:05.000Z',
    reason: 'customer_request',
    severity: 'critical',
    summary: 'Customer asked for a human',
    customerMessage: "I've connected you with a human agent.",
    triggeringEventIds: ['44444444-4444-4444-8444-444444444444'],
    count: 1,
    ...over,
  };
}

export function aNotice(event: EscalationEvent = anOpenedEvent(), over: Partial<EscalationNotice> = {}): EscalationNotice {
  return { kind: 'escalation', tenant: { id: event.tenantId, name: 'Acme' }, event, link: `https://ledger.example/escalations/${event.escalationId}`, ...over };
}
