import type { ReportNotice } from '../reports/report-notice';

export interface EmailAttachment {
  filename: string;
  content: string;
  contentType: string;
}

const LABEL = { daily: 'Daily', weekly: 'Weekly' } as const;
const INTEGRITY = {
  ok: 'ok: the rows at the last checkpoint hold the hashes it signed',
  failed: 'FAILED: a row at the last checkpoint no longer holds the hash it signed — run a verification',
  unverified: 'unverified: a row the last checkpoint signed is no longer stored (purged)',
  none: 'no checkpoint yet',
} as const;

const percent = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const ms = (v: number | null) => (v === null ? '—' : `${Math.round(v)} ms`);

/** A report's sections as labelled rows, the same for the text and the HTML part. */
function sections(n: ReportNotice): { title: string; head?: string[]; rows: string[][] }[] {
  const t = n.totals;
  const cp = n.integrity.checkpoint;
  return [
    {
      title: 'Totals',
      rows: [
        ['Actions', String(t.actions)],
        ['Executed', String(t.executed)],
        ['Failed', String(t.failed)],
        ['Cancelled', String(t.cancelled)],
        ['Events', String(t.events)],
        ['Success rate (executed of all)', percent(t.successRate)],
        ['Success rate (executed of executed + failed)', percent(t.successRateOfFinished)],
      ],
    },
    { title: 'Failures', head: ['Tool', 'Error code', 'Failed'], rows: n.failures.map((f) => [f.tool ?? '—', f.errorCode ?? '—', String(f.n)]) },
    { title: 'Slowest tools (p95)', head: ['Tool', 'Actions', 'Average', 'p95', 'Max'], rows: n.slowestTools.map((d) => [d.tool ?? '—', String(d.n), ms(d.avgMs), ms(d.p95), ms(d.maxMs)]) },
    {
      title: 'Escalations',
      rows: [
        ['Opened in the period', String(n.escalations.opened)],
        ['Resolved in the period', String(n.escalations.resolved)],
        ['Not resolved at the end', String(n.escalations.unresolved)],
      ],
    },
    { title: 'Integrity', rows: [['State', INTEGRITY[n.integrity.state]], ...(cp ? [['Last checkpoint', `${cp.id} at ${cp.createdAt} (${cp.chains} chains)`]] : [])] },
  ];
}

/** Subject, text, HTML and the CSV attachment of a scheduled report. Every value is escaped in the HTML. */
export function renderReport(n: ReportNotice, esc: (s: string) => string, page: (title: string, body: string) => string) {
  const title = `${LABEL[n.frequency]} report ${n.period.from} – ${n.period.to}`;
  const subject = `[agent-ledger] ${LABEL[n.frequency]} report — ${n.tenant.name}: ${n.totals.actions} actions, ${n.totals.failed} failed`;
  const parts = sections(n);
  const text = [
    `${title} — ${n.tenant.name} (${n.tenant.id})`,
    ...parts.flatMap((s) => ['', s.title, ...(s.rows.length ? s.rows.map((r) => (s.head ? r.join(' | ') : `${r[0]}: ${r[1]}`)) : ['none'])]),
    '',
    `Per tool: ${n.csv.filename} (attached)`,
    `Open agent-ledger: ${n.link}`,
    '',
    '—',
    'agent-ledger reports. Change the schedule with PUT /v1/reports, recipients with PUT /v1/channels.',
  ].join('\n');
  const cell = (tag: 'th' | 'td', v: string) => `<${tag} align="left" style="padding:4px 12px 4px 0;vertical-align:top">${esc(v)}</${tag}>`;
  const table = (s: (typeof parts)[number]) =>
    s.rows.length
      ? `<table style="border-collapse:collapse">${s.head ? `<tr>${s.head.map((h) => cell('th', h)).join('')}</tr>` : ''}${s.rows
          .map((r) => `<tr>${r.map((v, i) => cell(!s.head && i === 0 ? 'th' : 'td', v)).join('')}</tr>`)
          .join('')}</table>`
      : '<p>none</p>';
  const html = page(
    title,
    `<h2 style="margin:0 0 12px">${esc(title)}</h2><p>${esc(`${n.tenant.name} (${n.tenant.id})`)}</p>` +
      parts.map((s) => `<h3 style="margin:16px 0 8px">${esc(s.title)}</h3>${table(s)}`).join('') +
      `<p style="margin:16px 0">Per tool: ${esc(n.csv.filename)} (attached). <a href="${esc(n.link)}">Open agent-ledger</a></p>`,
  );
  const attachments: EmailAttachment[] = [{ filename: n.csv.filename, content: n.csv.content, contentType: 'text/csv; charset=utf-8' }];
  return { subject, text, html, attachments };
}
