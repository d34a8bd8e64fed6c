import { toStatistics, type StatsRows } from '@agent-ledger/ledger-stats';
import { parse } from 'csv-parse/sync';
import { renderEmail } from '../email/email-renderer';
import { buildReportNotice, REPORT_CSV_COLUMNS } from './report-notice';

const from = new Date('2026-03-09T08:00:00Z');
const to = new Date('2026-03-10T08:00:00Z');
const rows: StatsRows = {
  byStatus: [
    { status: 'executed', n: 7 },
    { status: 'failed', n: 2 },
    { status: 'cancelled', n: 1 },
  ],
  byTool: [
    { tool: 'crm.update', total: 6, executed: 4, failed: 2, cancelled: 0 },
    { tool: '<script>', total: 4, executed: 3, failed: 0, cancelled: 1 },
  ],
  byRisk: [],
  approvals: [],
  decisionTime: { n: 0, avg: null, p50: null, p95: null, max: null },
  durations: [
    { overall: true, tool: null, n: 9, avg: 30, min: 5, max: 90, p50: 20, p95: 85, p99: 89 },
    { overall: false, tool: 'crm.update', n: 6, avg: 40, min: 10, max: 90, p50: 30, p95: 88, p99: 90 },
    { overall: false, tool: '<script>', n: 3, avg: 10, min: 5, max: 15, p50: 10, p95: 14.5, p99: 14.9 },
  ],
  breakdowns: [],
  failures: [{ tool: 'crm.update', errorCode: 'TIMEOUT', n: 2 }],
  eventsByType: [{ type: 'action.executed', n: 7 }],
  series: [],
  anomalies: [],
};

describe('buildReportNotice', () => {
  const stats = toStatistics({ from, to, bucket: 'hour' }, rows, { inWindow: 0, unreplayed: 0 }, { openGaps: 0, missingEvents: 0 });
  const notice = buildReportNotice({
    tenant: { id: 't-1', name: 'Acme' },
    runId: 'r-1',
    frequency: 'daily',
    stats,
    facts: { escalations: { opened: 3, resolved: 1, unresolved: 2 }, integrity: { state: 'ok', checkpoint: { id: 'c-1', createdAt: to.toISOString(), chains: 6 } } },
    link: 'https://ledger.example/',
  });

  it('should put one CSV row per tool with its counts and durations when built from the statistics', () => {
    const parsed = parse(notice.csv.content, { columns: true }) as Record<string, string>[];
    expect(Object.keys(parsed[0])).toEqual([...REPORT_CSV_COLUMNS]);
    expect(parsed).toEqual([
      { tool: 'crm.update', total: '6', executed: '4', failed: '2', cancelled: '0', avg_ms: '40', min_ms: '10', max_ms: '90', p95_ms: '88' },
      { tool: '<script>', total: '4', executed: '3', failed: '0', cancelled: '1', avg_ms: '10', min_ms: '5', max_ms: '15', p95_ms: '14.5' },
    ]);
    expect(notice.csv.filename).toBe('agent-ledger-daily-report-2026-03-10.csv');
  });

  it('should order the slowest tools by p95 and carry both success rates when built', () => {
    expect(notice.slowestTools.map((t) => t.tool)).toEqual(['crm.update', '<script>']);
    expect(notice.totals).toMatchObject({ actions: 10, executed: 7, failed: 2, successRate: 0.7, successRateOfFinished: 7 / 9 });
  });

  it('should render the totals, escape tool names and attach the CSV when the report is emailed', () => {
    const email = renderEmail(notice);
    expect(email.subject).toBe('[agent-ledger] Daily report — Acme: 10 actions, 2 failed');
    expect(email.html).toContain('&lt;script&gt;');
    expect(email.html).not.toContain('<script>');
    expect(email.text).toContain('Opened in the period: 3');
    expect(email.attachments).toEqual([{ filename: notice.csv.filename, content: notice.csv.content, contentType: 'text/csv; charset=utf-8' }]);
  });
});
