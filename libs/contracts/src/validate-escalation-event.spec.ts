import {
  ESCALATION_EVENT_TYPES,
  ESCALATION_REASONS,
  SEVERITIES,
  isSeverityAtLeast,
  severityRank,
  validateEscalationEvent,
  type EscalationEvent,
  type EscalationEventType,
  type FieldError,
} from './index';

const base = {
  eventId: '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
  escalationId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  tenantId: '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d',
  sessionId: 'sess_7',
  occurredAt: '2025-03-01T10:05:00Z',
};

const valid: Record<EscalationEventType, EscalationEvent> = {
  'escalation.opened': {
    ...base,
    type: 'escalation.opened',
    actionId: 'act_43',
    reason: 'error_threshold',
    severity: 'error',
    summary: '3 failed actions in session sess_7 within 10 minutes',
    customerMessage: "I've connected you with a human agent.",
    triggeringEventIds: ['0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a', '1d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a'],
    count: 3,
  },
  'escalation.updated': {
    ...base,
    type: 'escalation.updated',
    reason: 'error_threshold',
    count: 4,
    lastSeenAt: '2025-03-01T10:07:00Z',
    triggeringEventIds: ['2d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a'],
  },
  'escalation.acknowledged': { ...base, type: 'escalation.acknowledged', acknowledgedBy: 'user_5', note: 'on it' },
  'escalation.resolved': { ...base, type: 'escalation.resolved', resolvedBy: 'user_5', notes: 'refund issued manually' },
};

function errorsOf(result: { ok: boolean; errors?: FieldError[] }): Array<[string, string]> {
  if (result.ok) throw new Error('expected validation to fail');
  return result.errors!.map((e) => [e.pointer, e.code]);
}

describe(validateEscalationEvent.name, () => {
  it.each(ESCALATION_EVENT_TYPES.map((t) => [t]))('should accept a valid %s event', (type) => {
    expect(validateEscalationEvent(valid[type])).toEqual({ ok: true, value: valid[type] });
  });

  it('should accept a manual escalation when it has no triggering events and no actionId', () => {
    const { actionId: _omitted, ...opened } = valid['escalation.opened'] as EscalationEvent & { actionId?: string };

    expect(validateEscalationEvent({ ...opened, reason: 'manual', triggeringEventIds: [], count: 1 }).ok).toBe(true);
  });

  it('should report every invalid field of an opened event with its pointer', () => {
    const result = validateEscalationEvent({
      ...base,
      type: 'escalation.opened',
      escalationId: 'esc-1',
      reason: 'bored',
      severity: 'fatal',
      summary: '',
      triggeringEventIds: ['0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a', 'nope'],
      count: 0,
      acknowledgedBy: 'user_5',
    });

    expect(errorsOf(result)).toEqual([
      ['/customerMessage', 'required'],
      ['/escalationId', 'format'],
      ['/reason', 'enum'],
      ['/severity', 'enum'],
      ['/summary', 'minLength'],
      ['/triggeringEventIds/1', 'format'],
      ['/count', 'minimum'],
    ]);
  });

  it('should name the array item in the message when an item is invalid', () => {
    const result = validateEscalationEvent({ ...valid['escalation.updated'], triggeringEventIds: ['x'] });

    expect(result).toEqual({
      ok: false,
      errors: [{ pointer: '/triggeringEventIds/0', code: 'format', message: 'triggeringEventIds[0] must be a lowercase UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)' }],
    });
  });

  it('should require the fields of its own type when they are missing', () => {
    expect(errorsOf(validateEscalationEvent({ ...base, type: 'escalation.acknowledged' }))).toEqual([['/acknowledgedBy', 'required']]);
    expect(errorsOf(validateEscalationEvent({ ...base, type: 'escalation.resolved', note: 'x' }))).toEqual([
      ['/resolvedBy', 'required'],
    ]);
    expect(errorsOf(validateEscalationEvent({ ...base, type: 'escalation.updated', reason: 'manual' }))).toEqual([
      ['/count', 'required'],
      ['/lastSeenAt', 'required'],
      ['/triggeringEventIds', 'required'],
    ]);
  });

  it('should report the type and the shared fields when the type is unknown', () => {
    const result = validateEscalationEvent({ type: 'escalation.closed', eventId: 'x', sessionId: 's', occurredAt: '2025-03-01T10:05:00Z' });

    expect(errorsOf(result)).toEqual([
      ['/escalationId', 'required'],
      ['/tenantId', 'required'],
      ['/type', 'enum'],
      ['/eventId', 'format'],
    ]);
  });

  it('should point at the root when the value is not an object', () => {
    expect(errorsOf(validateEscalationEvent('escalation.opened'))).toEqual([['', 'type']]);
  });

  it('should reject more triggering event ids than the limit', () => {
    const ids = Array.from({ length: 101 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

    expect(errorsOf(validateEscalationEvent({ ...valid['escalation.opened'], triggeringEventIds: ids }))).toEqual([['/triggeringEventIds', 'maxItems']]);
  });

  it('should accept and keep fields it does not know when a later producer adds them', () => {
    const later = { ...valid['escalation.acknowledged'], channel: 'slack', note: 'on it' };

    expect(validateEscalationEvent(later)).toEqual({ ok: true, value: later });
  });

  it('should know every escalation reason of the architecture', () => {
    for (const reason of ESCALATION_REASONS) {
      expect(validateEscalationEvent({ ...valid['escalation.opened'], reason }).ok).toBe(true);
    }
  });
});

describe(severityRank.name, () => {
  it('should rank critical above error above warning above info', () => {
    expect(SEVERITIES.map(severityRank)).toEqual([3, 2, 1, 0]);
  });
});

describe(isSeverityAtLeast.name, () => {
  it('should accept equal or more severe levels when compared with a threshold', () => {
    expect(isSeverityAtLeast('critical', 'error')).toBe(true);
    expect(isSeverityAtLeast('error', 'error')).toBe(true);
    expect(isSeverityAtLeast('warning', 'error')).toBe(false);
    expect(isSeverityAtLeast('info', 'warning')).toBe(false);
  });
});
