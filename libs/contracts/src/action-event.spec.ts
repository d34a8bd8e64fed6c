import { isActionType, isEventType, stampActionEvent, validateActionEvent, type ActionEventInput } from './index';

const stamp = { tenantId: '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d', receivedAt: '2025-03-01T10:00:01Z' };

describe(stampActionEvent.name, () => {
  it('should generate a lowercase UUID eventId and default occurredAt to receivedAt when both are absent', () => {
    const event = stampActionEvent({ type: 'signal.rate_limited' }, stamp);

    expect(event.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(event).toMatchObject({ tenantId: stamp.tenantId, receivedAt: stamp.receivedAt, occurredAt: stamp.receivedAt });
    expect(validateActionEvent(event).ok).toBe(true);
  });

  it('should keep the producer eventId and occurredAt when they are given', () => {
    const input: ActionEventInput = { type: 'signal.rate_limited', eventId: '0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a', occurredAt: '2025-03-01T09:59:59Z' };

    expect(stampActionEvent(input, stamp)).toMatchObject({ eventId: input.eventId, occurredAt: input.occurredAt });
  });

  it('should take the tenant from the stamp when the input smuggles one in', () => {
    const input = { type: 'signal.rate_limited', tenantId: 'other' } as ActionEventInput;

    expect(stampActionEvent(input, stamp).tenantId).toBe(stamp.tenantId);
    expect((input as { tenantId?: string }).tenantId).toBe('other');
  });

  it('should generate a different eventId for each event when none is given', () => {
    expect(stampActionEvent({ type: 'signal.rate_limited' }, stamp).eventId).not.toBe(stampActionEvent({ type: 'signal.rate_limited' }, stamp).eventId);
  });
});

describe(isEventType.name, () => {
  it('should recognise schema v1 types only', () => {
    expect(isEventType('change.recorded')).toBe(true);
    expect(isEventType('action.exploded')).toBe(false);
    expect(isEventType(undefined)).toBe(false);
  });
});

describe(isActionType.name, () => {
  it('should recognise lifecycle types only', () => {
    expect(isActionType('action.cancelled')).toBe(true);
    expect(isActionType('signal.handoff_requested')).toBe(false);
  });
});
