import { type Severity } from '@agent-ledger/contracts';
import { viewOf, type EscalationNotice, type LedgerEventNotice } from '../delivery/notification-payload';

/** What a webhook carries: an escalation event or a ledger event a filter asked for. */
export type WebhookNotice = EscalationNotice | LedgerEventNotice;

export const WEBHOOK_FORMATS = ['standard', 'slack', 'discord'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/**
 * The JSON body of a webhook for an escalation event or a ledger event. `standard` is the Standard
 * Webhooks shape `{type, timestamp, data}` (thin: the event's fields and a dashboard link); `slack`
 * and `discord` are what those services' incoming webhooks render. The object is built field by
 * field, so the same notice always gives the same bytes (every attempt sends the same body).
 */
export function webhookBody(format: WebhookFormat, notice: WebhookNotice): string {
  const view = notice.kind === 'escalation' ? viewOf(notice) : ledgerEventView(notice);
  switch (format) {
    case 'standard':
      return JSON.stringify(notice.kind === 'escalation' ? standardBody(notice) : standardEventBody(notice));
    case 'slack':
      return JSON.stringify(slackBody(view));
    case 'discord':
      return JSON.stringify(discordBody(view, notice.event.occurredAt));
  }
}

/** `{type, timestamp, data}` of a ledger event: its summary (never input, output or PII) and the link. */
function standardEventBody(n: LedgerEventNotice) {
  return { type: n.event.type, timestamp: n.event.occurredAt, data: { ...n.event, url: n.link } };
}

/** The facts of a ledger event notice as labelled rows, like an escalation's. */
function ledgerEventView(n: LedgerEventNotice): View {
  const e = n.event;
  const fields: [string, string][] = [['Tenant', `${n.tenant.name} (${n.tenant.id})`]];
  if (e.tool) fields.push(['Tool', `${e.tool.name}${e.tool.provider ? ` (${e.tool.provider})` : ''}`], ['Risk', e.tool.riskLevel]);
  if (e.actionId) fields.push(['Action', e.actionId]);
  if (e.sessionId) fields.push(['Session', e.sessionId]);
  if (e.agent) fields.push(['Agent', e.agent.name]);
  if (e.error) fields.push(['Error', e.error.code ? `${e.error.code}: ${e.error.message}` : e.error.message]);
  if (e.resource) fields.push(['Resource', `${e.resource.type} ${e.resource.id}`]);
  fields.push(['Event', e.eventId], ['At', e.occurredAt]);
  const title = `${e.type}${e.tool ? `: ${e.tool.name} (${e.tool.riskLevel})` : ''}`;
  return { title, severity: e.type.endsWith('.failed') ? 'error' : undefined, summary: e.error?.message, fields, link: n.link };
}

interface View {
  title: string;
  severity?: Severity;
  summary?: string;
  fields: [label: string, value: string][];
  link: string;
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

function slackBody(view: View) {
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

function discordBody(view: View, timestamp: string) {
  return {
    content: view.title.slice(0, 2_000),
    embeds: [
      {
        title: view.title.slice(0, 256),
        url: view.link,
        description: (view.summary ?? '').slice(0, 4_096),
        color: view.severity ? DISCORD_COLORS[view.severity] : 0x757575,
        fields: view.fields.filter(([k]) => k !== 'Summary').slice(0, 25).map(([name, value]) => ({ name: name.slice(0, 256), value: (value || '—').slice(0, 1_024), inline: value.length < 40 })),
        timestamp,
      },
    ],
    allowed_mentions: { parse: [] },
  };
}

/** Slack mrkdwn control characters. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
