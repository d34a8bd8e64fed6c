import type { Checkpoint } from '../checkpoint';
import { ESCALATION_EVENT_TYPES, type EscalationEvent, type EscalationEventType } from '../escalation-event';

// Valid escalation events and checkpoints (action events come from the builders of libs/testing).

export const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

const base = {
  eventId: '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
  escalationId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  tenantId: TENANT,
  sessionId: 'sess_7',
  occurredAt: '2025-03-01T10:05:00Z',
};

export const escalationSamples: Record<EscalationEventType, EscalationEvent> = {
  'escalation.opened': {
    ...base,
    type: 'escalation.opened',
    actionId: 'act_43',
    reason: 'error_threshold',
    severity: 'error',
    summary: '3 failed actions in session sess_7 within 10 minutes',
    customerMessage: "I've connected you with a human agent.",
    triggeringEventIds: ['0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a'],
    count: 1,
  },
  'escalation.updated': {
    ...base,
    type: 'escalation.updated',
    reason: 'error_threshold',
    count: 4,
    lastSeenAt: '2025-03-01T10:06:00+02:00',
    triggeringEventIds: [],
  },
  'escalation.acknowledged': { ...base, type: 'escalation.acknowledged', scope: 'session', acknowledgedBy: 'jane', note: 'on it' },
  'escalation.resolved': { ...base, type: 'escalation.resolved', scope: 'tenant', sessionId: 'tenant:tenant_error_rate', resolvedBy: 'jane' },
};

export const escalationSampleList = (): EscalationEvent[] => ESCALATION_EVENT_TYPES.map((t) => escalationSamples[t]);

export const checkpointSample: Checkpoint = {
  checkpointId: '1d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a',
  tenantId: TENANT,
  createdAt: '2025-03-01T10:05:00.000Z',
  heads: [
    { partition: 0, chainSeq: '42', hash: 'a'.repeat(64) },
    { partition: 1, chainSeq: '0', hash: 'b'.repeat(64) },
  ],
  keyId: 'key-1',
  signature: 'c2lnbmF0dXJl',
};
