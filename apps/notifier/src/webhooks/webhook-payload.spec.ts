import { anActionEvent } from '@agent-ledger/testing';
import { aNotice, anOpenedEvent } from '../delivery/notification.fixtures';
import type { LedgerEventNotice } from '../delivery/notification-payload';
import { summarizeLedgerEvent } from '../events/ledger-event-summary';
import { webhookBody } from './webhook-payload';

describe('webhookBody', () => {
  it('should give {type, timestamp, data} with the escalation and a dashboard link when the format is standard', () => {
    const body = JSON.parse(webhookBody('standard', aNotice()));
    expect(body).toEqual({
      type: 'escalation.opened',
      timestamp: '2026-01-02T03:04:05.000Z',
      data: expect.objectContaining({
        escalationId: '22222222-2222-4222-8222-222222222222',
        sessionId: 'sess-1',
        actionId: 'act-9',
        reason: 'customer_request',
        severity: 'critical',
        summary: 'Customer asked for a human',
        count: 1,
        url: 'https://ledger.example/escalations/22222222-2222-4222-8222-222222222222',
      }),
    });
  });

  it('should give the same bytes every time when rendering the same notice', () => {
    expect(webhookBody('standard', aNotice())).toBe(webhookBody('standard', JSON.parse(JSON.stringify(aNotice()))));
  });

  it('should take reason and severity from the context when the event is an acknowledgement', () => {
    const ack = { type: 'escalation.acknowledged' as const, eventId: anOpenedEvent().eventId, escalationId: anOpenedEvent().escalationId, tenantId: anOpenedEvent().tenantId, sessionId: 'sess-1', occurredAt: '2026-01-02T04:00:00.000Z', acknowledgedBy: 'alice' };
    const notice = aNotice(ack, { context: { reason: 'action_failed', severity: 'error', summary: 's', sessionId: 'sess-1', openedAt: '2026-01-02T03:04:05.000Z' } });
    expect(JSON.parse(webhookBody('standard', notice))).toMatchObject({ type: 'escalation.acknowledged', data: { reason: 'action_failed', severity: 'error', acknowledgedBy: 'alice' } });
  });

  it('should render text for Slack and an embed for Discord when those formats are chosen', () => {
    expect(JSON.parse(webhookBody('slack', aNotice())).text).toContain('CRITICAL escalation opened: customer asked for a human');
    const discord = JSON.parse(webhookBody('discord', aNotice({ ...anOpenedEvent(), summary: '@everyone look' })));
    expect(discord.embeds[0]).toMatchObject({ url: 'https://ledger.example/escalations/22222222-2222-4222-8222-222222222222', description: '@everyone look' });
    expect(discord.allowed_mentions).toEqual({ parse: [] });
  });

  describe('ledger events', () => {
    const event = anActionEvent('33333333-3333-4333-8333-333333333333', { type: 'action.failed', tool: { name: 'delete_account', provider: 'crm', riskLevel: 'destructive' }, input: { email: 'ana@example.com' } });
    const notice: LedgerEventNotice = { kind: 'event', tenant: { id: event.tenantId, name: 'Acme' }, event: summarizeLedgerEvent(event), link: `https://ledger.example/actions/${event.actionId}` };

    it('should give {type, timestamp, data} with the summary and the action link when the format is standard', () => {
      expect(JSON.parse(webhookBody('standard', notice))).toEqual({
        type: 'action.failed',
        timestamp: event.occurredAt,
        data: { ...JSON.parse(JSON.stringify(summarizeLedgerEvent(event))), url: `https://ledger.example/actions/${event.actionId}` },
      });
      expect(webhookBody('standard', notice)).not.toContain('ana@example.com');
    });

    it('should title Slack and Discord messages with the event type, tool and risk when those formats are chosen', () => {
      expect(JSON.parse(webhookBody('slack', notice)).text).toBe(`action.failed: delete_account (destructive) — https://ledger.example/actions/${event.actionId}`);
      expect(JSON.parse(webhookBody('discord', notice)).embeds[0]).toMatchObject({ title: 'action.failed: delete_account (destructive)', description: event.error!.message, timestamp: event.occurredAt });
    });
  });
});
