import { deliveryList, escalationList, normalizeEscalation } from './escalations';

describe(normalizeEscalation.name, () => {
  it('should read an escalation whatever the usual names of its fields', () => {
    const a = normalizeEscalation({ escalationId: 'e1', status: 'OPEN', reason: 'action_failed', severity: 'error', sessionId: 's1', openedAt: '2026-01-01T00:00:00Z', count: 2 });
    const b = normalizeEscalation({ escalation: { id: 'e1', state: 'open', reason: 'action_failed', severity: 'error', sessionId: 's1', createdAt: '2026-01-01T00:00:00Z', count: '2' } });
    expect(a).toMatchObject({ id: 'e1', status: 'open', reason: 'action_failed', severity: 'error', sessionId: 's1', openedAt: '2026-01-01T00:00:00Z', count: 2 });
    expect(b).toEqual(a);
  });

  it('should derive the status from the timestamps when the answer has none', () => {
    expect(normalizeEscalation({ id: 'e', acknowledgedAt: '2026-01-01T00:00:00Z' })?.status).toBe('acknowledged');
    expect(normalizeEscalation({ id: 'e', acknowledgedAt: 'x', resolvedAt: 'y', resolvedBy: 'ana', notes: 'refunded' })).toMatchObject({ status: 'resolved', resolvedBy: 'ana', resolveNotes: 'refunded' });
    expect(normalizeEscalation({ id: 'e' })?.status).toBe('open');
  });

  it('should drop entries without an id', () => {
    expect(normalizeEscalation({ reason: 'manual' })).toBeUndefined();
    expect(escalationList({ escalations: [{ reason: 'manual' }, { id: 'x' }], nextCursor: 'c' })).toMatchObject({ items: [{ id: 'x' }], nextCursor: 'c' });
  });
});

describe(deliveryList.name, () => {
  it('should read deliveries with their attempts from the delivery log answer', () => {
    const list = deliveryList({
      deliveries: [
        {
          id: 'd1',
          escalationId: 'e1',
          eventType: 'escalation.opened',
          channel: 'webhook',
          target: 'https://hooks.example.com/x',
          status: 'retrying',
          attemptCount: 2,
          attempts: [
            { attempt: 1, startedAt: '2026-01-01T00:00:00Z', durationMs: 31, statusCode: 500, outcome: 'failed', error: 'HTTP 500' },
            { attempt: 2, startedAt: '2026-01-01T00:00:05Z', durationMs: 12, statusCode: null, outcome: 'failed', error: 'timeout' },
          ],
        },
      ],
      nextCursor: null,
    });
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ id: 'd1', channel: 'webhook', status: 'retrying', attemptCount: 2 });
    expect(list.items[0].attempts.map((a) => [a.attempt, a.statusCode, a.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, null, 'timeout'],
    ]);
  });
});

describe('escalation history', () => {
  it('should read who acted and their note from the escalation events kept in the history', () => {
    const e = normalizeEscalation({
      escalationId: 'e1',
      status: 'acknowledged',
      history: [
        { eventId: 'x1', type: 'escalation.opened', occurredAt: '2026-01-01T00:00:00Z', event: { summary: 'customer asked for a human' } },
        { eventId: 'x2', type: 'escalation.acknowledged', occurredAt: '2026-01-01T00:01:00Z', event: { acknowledgedBy: 'ana', note: 'calling back' } },
      ],
    });
    expect(e?.history).toEqual([
      { type: 'escalation.opened', at: '2026-01-01T00:00:00Z', by: null, note: 'customer asked for a human' },
      { type: 'escalation.acknowledged', at: '2026-01-01T00:01:00Z', by: 'ana', note: 'calling back' },
    ]);
    expect(e?.acknowledgeNote).toBe('calling back');
  });
});
