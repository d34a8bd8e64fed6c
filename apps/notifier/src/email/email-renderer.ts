import { viewOf, type EndpointDisabledNotice, type NotificationPayload } from '../delivery/notification-payload';
import { renderReport, type EmailAttachment } from './report-email';

export interface RenderedEmail {
  subject: string;
  text: string;
  html: string;
  attachments?: EmailAttachment[];
}

const SUBJECT_MAX = 200;

/** Subject, plain text and HTML of a notification email. Every value is escaped in the HTML. */
export function renderEmail(payload: NotificationPayload): RenderedEmail {
  switch (payload.kind) {
    case 'escalation':
      return renderEscalation(payload);
    case 'endpoint.disabled':
      return renderEndpointDisabled(payload);
    case 'report': {
      const r = renderReport(payload, esc, page);
      return { ...r, subject: oneLine(r.subject).slice(0, SUBJECT_MAX) };
    }
  }
}

function renderEscalation(payload: Extract<NotificationPayload, { kind: 'escalation' }>): RenderedEmail {
  const view = viewOf(payload);
  const subject = oneLine(`[agent-ledger] ${view.title} — ${payload.tenant.name}`);
  const text = [
    view.title,
    '',
    ...view.fields.map(([k, v]) => `${k}: ${v}`),
    '',
    `Open the escalation: ${view.link}`,
    '',
    '—',
    'agent-ledger notifications. Change recipients with PUT /v1/channels.',
  ].join('\n');
  const rows = view.fields.map(([k, v]) => `<tr><th align="left" style="padding:4px 12px 4px 0;vertical-align:top">${esc(k)}</th><td style="padding:4px 0">${esc(v)}</td></tr>`).join('');
  const html = page(
    view.title,
    `<h2 style="margin:0 0 12px">${esc(view.title)}</h2><table style="border-collapse:collapse">${rows}</table>` +
      `<p style="margin:16px 0"><a href="${esc(view.link)}">Open the escalation in agent-ledger</a></p>`,
  );
  return { subject: subject.slice(0, SUBJECT_MAX), text, html };
}

function renderEndpointDisabled(n: EndpointDisabledNotice): RenderedEmail {
  const why =
    n.cause === 'gone'
      ? 'it answered 410 Gone'
      : `its deliveries have failed without a success since ${n.failingSince ?? 'a while'}${n.lastError ? ` (last error: ${n.lastError})` : ''}`;
  const title = `Webhook endpoint disabled: ${n.endpoint.url}`;
  const subject = oneLine(`[agent-ledger] ${title} — ${n.tenant.name}`).slice(0, SUBJECT_MAX);
  const lines = [
    `The webhook endpoint ${n.endpoint.url} (${n.endpoint.id}) of tenant ${n.tenant.name} (${n.tenant.id}) was disabled at ${n.disabledAt} because ${why}.`,
    '',
    'No further escalations are sent to it until it is enabled again (PUT /v1/channels with "enabled": true for this endpoint).',
    `Failed deliveries can be replayed with POST /v1/deliveries/<id>/retry once it is fixed: ${n.link}`,
  ];
  const html = page(title, `<h2 style="margin:0 0 12px">${esc(title)}</h2>${lines.filter(Boolean).map((l) => `<p>${esc(l)}</p>`).join('')}`);
  return { subject, text: lines.join('\n'), html };
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title></head><body style="font-family:sans-serif;font-size:14px;color:#222">${body}</body></html>`;
}

/** Subjects are one line: control characters and line breaks become spaces (no header injection). */
function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}
