import { anOpenedEvent } from './notification.fixtures';
import { filterMatches, NotificationPlanner, recipientKey } from './notification-planner.service';

describe(NotificationPlanner.name, () => {
  describe('filterMatches', () => {
    const opened = anOpenedEvent({ reason: 'action_failed', severity: 'error' });
    const ack = { type: 'escalation.acknowledged' as const, eventId: opened.eventId, escalationId: opened.escalationId, tenantId: opened.tenantId, sessionId: 'sess-1', occurredAt: opened.occurredAt, acknowledgedBy: 'bob' };

    it('should send openings to email and openings, acknowledgements and resolutions to webhooks when no events are named', () => {
      expect(filterMatches({}, 'email', opened, undefined)).toBe(true);
      expect(filterMatches({}, 'email', ack, undefined)).toBe(false);
      expect(filterMatches({}, 'webhook', ack, undefined)).toBe(true);
      expect(filterMatches({ events: ['escalation.acknowledged'] }, 'email', ack, undefined)).toBe(true);
    });

    it('should match reasons and a minimum severity when the filter names them', () => {
      expect(filterMatches({ reasons: ['action_failed'] }, 'email', opened, undefined)).toBe(true);
      expect(filterMatches({ reasons: ['customer_request'] }, 'email', opened, undefined)).toBe(false);
      expect(filterMatches({ minSeverity: 'error' }, 'email', opened, undefined)).toBe(true);
      expect(filterMatches({ minSeverity: 'critical' }, 'email', opened, undefined)).toBe(false);
    });

    it('should judge a later event by the escalation context and refuse it when the context is unknown', () => {
      const context = { reason: 'action_failed' as const, severity: 'critical' as const, summary: 's', sessionId: 'sess-1', openedAt: opened.occurredAt };
      expect(filterMatches({ minSeverity: 'critical' }, 'webhook', ack, context)).toBe(true);
      expect(filterMatches({ minSeverity: 'critical' }, 'webhook', ack, undefined)).toBe(false);
    });
  });

  it('should key a recipient by a hash that never contains the address when building job ids', () => {
    expect(recipientKey('Ops@Example.com')).toBe(recipientKey('ops@example.com'));
    expect(recipientKey('ops@example.com')).toMatch(/^[0-9a-f]{24}$/);
  });
});
