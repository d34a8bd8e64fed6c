import { type Severity } from '@agent-ledger/contracts';
import { viewOf, type EscalationNotice } from '../delivery/notification-payload';

export const WEBHOOK_FORMATS = ['standard', 'slack', 'discord'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/**
 * The JSON body of a webhook for an escalation event. `standard` is the Standard Webhooks shape
 * `{type, timestamp, data}` (thin: the escalation's fields and a dashboard link); `slack` and
 * `discord` are what those services' incoming webhooks render. The object is built field by
 * field, so the same notice always gives the same bytes (every attempt sends the same body).
 */
export function webhookBody(format: WebhookFormat, notice: EscalationNotice): string {
  switch (format) {
    case 'standard':
      return JSON.stringify(standardBody(notice));
    case 'slack':
      return JSON.stringify(slackBody(notice));
    case 'discord':
      return JSON.stringify(discordBody(notice));
  }
}

function standardBody(n: EscalationNotice) {
  const e = n.event;
  const view = viewOf(n);
  const data: Record<string, unknown> = {
    escalationId: e.escalationId,
    eventId: e.eventId,
    tenantId: e.tenantId,
    sessionId: e.sessionId,
    actionId: ('actionId' in e && e.actionId) || n.context?.actionId || null,
    reason: view.reason ?? null,
    severity: view.severity ?? null,
    summary: view.summary ?? null,
  };
  switch (e.type) {
    case 'escalation.opened':
      Object.assign(data, { customerMessage: e.customerMessage, count: e.count, triggeringEventIds: e.triggeringEventIds });
      break;
    case 'escalation.updated':
      Object.assign(data, { count: e.count, lastSeenAt: e.lastSeenAt, triggeringEventIds: e.triggeringEventIds });
      break;
    case 'escalation.acknowledged':
      Object.assign(data, { acknowledgedBy: e.acknowledgedBy, note: e.note ?? null });
      break;
    case 'escalation.resolved':
      Object.assign(data, { resolvedBy: e.resolvedBy, notes: e.notes ?? null });
      break;
  }
  data.occurredAt = e.occurredAt;
  data.url = n.link;
  return { type: e.type, timestamp: e.occurredAt, data };
}

const SLACK_TEXT_MAX = 3_000;

function slackBody(n: EscalationNotice) {
  const view = viewOf(n);
  const lines = view.fields.map(([k, v]) => `*${escapeSlack(k)}:* ${escapeSlack(v)}`).join('\n');
  const text = `${view.title} — ${view.link}`;
  return {
    text: text.slice(0, SLACK_TEXT_MAX),
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: view.title.slice(0, 150) } },
      { type: 'section', text: { type: 'mrkdwn', text: lines.slice(0, SLACK_TEXT_MAX) } },
      { type: 'section', text: { type: 'mrkdwn', text: `<${view.link}|Open in agent-ledger>` } },
    ],
  };
}

const DISCORD_COLORS: Record<Severity, number> = { critical: 0xd32f2f, error: 0xf57c00, warning: 0xfbc02d, info: 0x1976d2 };

function discordBody(n: EscalationNotice) {
  const view = viewOf(n);
  return {
    content: view.title.slice(0, 2_000),
    embeds: [
      {
        title: view.title.slice(0, 256),
        url: view.link,
        description: (view.summary ?? '').slice(0, 4_096),
        color: view.severity ? DISCORD_COLORS[view.severity] : 0x757575,
        fields: view.fields.filter(([k]) => k !== 'Summary').slice(0, 25).map(([name, value]) => ({ name: name.slice(0, 256), value: (value || '—').slice(0, 1_024), inline: value.length < 40 })),
        timestamp: n.event.occurredAt,
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/** Slack mrkdwn control characters. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
