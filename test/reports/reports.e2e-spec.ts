import { randomUUID } from 'node:crypto';
import { ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { Queue } from 'bullmq';
import { parse } from 'csv-parse/sync';
import { TestSmtpServer, type ReceivedEmail } from '../notifications/receivers';
import { expectedStats, rounded, seedActions, seedEvents, sortedRows } from './stats-seed';

const REPORT_QUEUE = 'agent-ledger.reports';

/** The next instant after `after` at which `timeZone` reads weekday `weekday` (0 = Sunday), `hour`:00. */
function nextLocal(after: number, timeZone: string, weekday: number, hour: number): number {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  for (let t = Math.ceil(after / 60_000) * 60_000; t < after + 8 * 86_400_000; t += 60_000) {
    const parts = Object.fromEntries(fmt.formatToParts(new Date(t)).map((p) => [p.type, p.value]));
    if (parts.weekday === days[weekday] && Number(parts.hour) === hour && Number(parts.minute) === 0) return t;
  }
  throw new Error('no such instant within 8 days');
}

/**
 * Scheduled reports end to end: schedules through the audit API become BullMQ job schedulers in the
 * notifier (cron in the tenant's time zone); a report of a seeded period arrives at a real SMTP
 * server once per recipient, with the totals and a CSV attachment that parses back to the seed's
 * figures, also with two notifiers; bad settings are 400s with the field.
 */
describe('scheduled reports', () => {
  const smtp = new TestSmtpServer();
  let system: LedgerSystem;
  let tenant: TestTenant;
  let queue: Queue;
  let expected: ReturnType<typeof expectedStats>;
  const recipients = [`reports-a-${randomUUID().slice(0, 8)}@acme.test`, `reports-b-${randomUUID().slice(0, 8)}@acme.test`];

  const reports = (to: string, frequency: 'Daily' | 'Weekly'): ReceivedEmail[] => smtp.to(to).filter((m) => m.subject.startsWith(`[agent-ledger] ${frequency} report`));

  beforeAll(async () => {
    await smtp.start();
    system = new LedgerSystem({
      services: ['audit-api', 'ingest-api', 'audit-projector', 'notifier'],
      env: {
        notifier: {
          SMTP_HOST: '127.0.0.1',
          SMTP_PORT: String(smtp.port),
          SMTP_TIMEOUT_MS: '5000',
          NOTIFIER_EMAIL_BACKOFF: '200ms',
          NOTIFIER_SWEEP_INTERVAL_MS: '300',
          NOTIFIER_REPORT_RECONCILE_MS: '300',
          NOTIFIER_REPORT_RUNS_POLL_MS: '200',
        },
      },
    });
    await system.startKafkaGroupAtTopicEnd(system.notifierGroup, ESCALATIONS_TOPIC);
    await system.start();
    // A second notifier on the same queues: each report still goes out once.
    await system.startInstance('notifier');
    queue = new Queue(REPORT_QUEUE, { connection: { url: system.stack.redisUrl }, prefix: system.envOf('notifier').NOTIFIER_QUEUE_PREFIX });
    tenant = await system.createTenant(`reports-${system.suffix}`);
    expect((await system.api('PUT', '/v1/channels', tenant.apiKeys.admin, { email: { recipients } })).status).toBe(200);

    const actions = seedActions('rp', 40, Date.now() - 60_000, 30 * 60_000);
    const events = seedEvents(actions, `rp-${system.suffix}`);
    expected = expectedStats(actions, events);
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, events.length);

    // Two escalations opened in the period, one of them resolved.
    const opened: string[] = [];
    for (const note of ['first', 'second']) {
      const r = await system.api<{ escalationId: string }>('POST', '/v1/escalations', tenant.apiKeys.admin, { sessionId: `rp-${system.suffix}-agent-1`, note });
      expect(r.status).toBe(202);
      opened.push(r.body.escalationId);
    }
    const stored = async (sql: string) => (await system.db.query(sql, [tenant.tenantId])).rows[0].n as number;
    await waitFor(async () => (await stored(`SELECT count(*)::int AS n FROM escalations WHERE tenant_id = $1`)) === 2, { timeoutMs: 20_000, what: 'two escalations stored' });
    expect((await system.api('POST', `/v1/escalations/${opened[0]}/resolve`, tenant.apiKeys.admin, { notes: 'done' })).status).toBe(202);
    await waitFor(async () => (await stored(`SELECT count(*)::int AS n FROM escalations WHERE tenant_id = $1 AND status = 'resolved'`)) === 1, { timeoutMs: 20_000, what: 'one escalation resolved' });
    await waitFor(async () => (await stored(`SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1`)) === actions.length, { timeoutMs: 20_000, what: 'every action projected' });
    await system.waitForCheckpointAtHeads(tenant.tenantId);
  });

  afterAll(async () => {
    // Leave no schedule behind in the shared test database.
    if (tenant) await system.api('PUT', '/v1/reports', tenant.apiKeys.admin, { frequency: 'daily', hour: 0, timezone: 'UTC', enabled: false });
    await queue?.close();
    await system?.stop();
    await smtp.stop();
  });

  /** Administrative changes (channels, escalation handling) are ledger events too: counted in the database. */
  const changes = async () => (await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND type = 'change.recorded'`, [tenant.tenantId])).rows[0].n as number;

  async function checkReport(mail: ReceivedEmail) {
    const t = expected.totals;
    expect(mail.subject).toBe(`${mail.subject.split(' — ')[0]} — reports-${system.suffix}: ${t.actions} actions, ${t.byStatus.failed} failed`);
    expect(mail.text).toContain(`Actions: ${t.actions}`);
    expect(mail.text).toContain(`Executed: ${t.byStatus.executed}`);
    expect(mail.text).toContain(`Events: ${t.events + (await changes())}`);
    expect(mail.text).toContain(`Success rate (executed of all): ${(expected.successRate * 100).toFixed(1)} %`);
    expect(mail.text).toContain('Opened in the period: 2');
    expect(mail.text).toContain('Resolved in the period: 1');
    expect(mail.text).toContain('State: ok');
    for (const f of expected.failures) expect(mail.text).toContain(`${f.tool} | ${f.errorCode} | ${f.n}`);
    expect(mail.attachments).toHaveLength(1);
    expect(mail.attachments[0].contentType).toMatch(/^text\/csv/);
    const rows = parse(mail.attachments[0].content, { columns: true, cast: (v) => (v === '' ? null : Number.isNaN(Number(v)) ? v : Number(v)) }) as Record<string, unknown>[];
    const durations = new Map(expected.durations.map((d) => [d.tool, d]));
    const want = expected.byTool.map((b) => {
      const d = durations.get(b.tool);
      return { tool: b.tool, total: b.total, executed: b.executed, failed: b.failed, cancelled: b.cancelled, avg_ms: d?.avgMs ?? null, min_ms: d?.minMs ?? null, max_ms: d?.maxMs ?? null, p95_ms: d?.p95 ?? null };
    });
    expect(rounded(sortedRows(rows))).toEqual(rounded(sortedRows(want)));
  }

  it('should email the report of the period ending now once to each recipient, with a CSV that parses back, when a run is asked for', async () => {
    const run = await system.api<{ runId: string; status: string; period: { from: string; to: string } }>('POST', '/v1/reports/runs', tenant.apiKeys.admin, { frequency: 'daily' });
    expect(run.status).toBe(202);
    expect(run.body.status).toBe('requested');
    expect(Date.parse(run.body.period.to) - Date.parse(run.body.period.from)).toBe(86_400_000);
    await waitFor(() => recipients.every((r) => reports(r, 'Daily').length > 0), { timeoutMs: 20_000, what: 'the report at both recipients' });
    for (const r of recipients) await checkReport(reports(r, 'Daily')[0]);
    // The run is marked sent after the last email was handed over: on a busy machine a moment after it arrived.
    const done = await waitFor(
      async () => {
        const answer = await system.api<{ status: string; recipients: number }>('GET', `/v1/reports/runs/${run.body.runId}`, tenant.apiKeys.admin);
        return answer.body.status === 'requested' ? undefined : answer;
      },
      { timeoutMs: 20_000, what: `report run ${run.body.runId} leaving requested` },
    );
    expect(done.body).toMatchObject({ status: 'sent', recipients: 2 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(recipients.map((r) => reports(r, 'Daily').length)).toEqual([1, 1]);
  });

  it('should keep a job scheduler per tenant with the cron in its time zone, and send a scheduled period once', async () => {
    const put = await system.api('PUT', '/v1/reports', tenant.apiKeys.admin, { frequency: 'weekly', hour: 7, weekday: 1, timezone: 'America/New_York' });
    expect(put.status).toBe(200);
    expect((await system.api('GET', '/v1/reports', tenant.apiKeys.admin)).body).toMatchObject({ schedule: { frequency: 'weekly', hour: 7, weekday: 1, timezone: 'America/New_York', enabled: true } });
    // The change is in the tenant's ledger (and stored before the report below counts the period's events).
    type Listed = { items: { event: { resource: unknown; metadata: unknown; changes: unknown } }[] };
    const recorded = await waitFor(
      async () => {
        const listed = await system.api<Listed>('GET', '/v1/events?type=change.recorded&resourceType=report_schedule', tenant.apiKeys.read);
        return listed.status === 200 && listed.body.items.length > 0 && listed.body.items;
      },
      { timeoutMs: 20_000, what: 'the report_schedule change in GET /v1/events' },
    );
    expect(recorded.map((r) => r.event)).toEqual([
      expect.objectContaining({
        resource: { type: 'report_schedule', id: tenant.tenantId },
        metadata: expect.objectContaining({ action: 'report_schedule.updated' }),
        changes: { before: null, after: { frequency: 'weekly', hour: 7, weekday: 1, timezone: 'America/New_York', enabled: true } },
      }),
    ]);
    const id = `report-${tenant.tenantId}`;
    await waitFor(async () => (await queue.getJobScheduler(id))?.tz === 'America/New_York', { timeoutMs: 10_000, what: 'the scheduler upserted' });
    const scheduler = (await queue.getJobScheduler(id))!;
    expect(scheduler.pattern).toBe('0 7 * * 1');
    expect(scheduler.next).toBe(nextLocal(Date.now(), 'America/New_York', 1, 7));

    // The scheduled job of one period, twice (as a retry or a second scheduler would): one report per recipient.
    const firedAt = Date.now();
    for (const jobId of ['p-1', 'p-2']) await queue.add('report.scheduled', { tenantId: tenant.tenantId }, { jobId: `${jobId}-${system.suffix}`, prevMillis: firedAt });
    await waitFor(() => recipients.every((r) => reports(r, 'Weekly').length > 0), { timeoutMs: 20_000, what: 'the weekly report at both recipients' });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(recipients.map((r) => reports(r, 'Weekly').length)).toEqual([1, 1]);
    await checkReport(reports(recipients[0], 'Weekly')[0]);
    const runs = await system.api<{ recentRuns: { trigger: string; period: { from: string; to: string } }[] }>('GET', '/v1/reports', tenant.apiKeys.admin);
    expect(runs.body.recentRuns.filter((r) => r.trigger === 'schedule')).toEqual([
      expect.objectContaining({ period: { from: new Date(firedAt - 7 * 86_400_000).toISOString(), to: new Date(firedAt).toISOString() } }),
    ]);

    expect((await system.api('PUT', '/v1/reports', tenant.apiKeys.admin, { frequency: 'weekly', hour: 7, weekday: 1, timezone: 'America/New_York', enabled: false })).status).toBe(200);
    await waitFor(async () => (await queue.getJobScheduler(id)) === undefined, { timeoutMs: 10_000, what: 'the scheduler removed' });
  });

  it('should record a failed run when the tenant has no email recipient', async () => {
    const lonely = await system.createTenant(`reports-none-${system.suffix}`);
    const run = await system.api<{ runId: string }>('POST', '/v1/reports/runs', lonely.apiKeys.admin, {});
    await waitFor(async () => (await system.api<{ status: string }>('GET', `/v1/reports/runs/${run.body.runId}`, lonely.apiKeys.admin)).body.status === 'failed', {
      timeoutMs: 10_000,
      what: 'the run failed',
    });
    expect((await system.api('GET', `/v1/reports/runs/${run.body.runId}`, tenant.apiKeys.admin)).status).toBe(404);
  });

  it('should refuse bad schedules and runs with 400, code and field', async () => {
    const cases: [string, string, unknown, string][] = [
      ['PUT', '/v1/reports', { frequency: 'daily', hour: 8, timezone: 'Mars/Olympus_Mons' }, 'timezone'],
      ['PUT', '/v1/reports', { frequency: 'weekly', hour: 8, timezone: 'UTC' }, 'weekday'],
      ['PUT', '/v1/reports', { frequency: 'daily', hour: 24, timezone: 'UTC' }, 'hour'],
      ['PUT', '/v1/reports', { frequency: 'monthly', hour: 8, timezone: 'UTC' }, 'frequency'],
      ['PUT', '/v1/reports', { frequency: 'daily', hour: 8, timezone: 'UTC', cc: 'x' }, 'cc'],
      ['POST', '/v1/reports/runs', { frequency: 'hourly' }, 'frequency'],
      ['GET', '/v1/reports/runs/not-a-uuid', undefined, 'runId'],
    ];
    for (const [method, path, body, field] of cases) {
      const r = await system.api<{ error: { code: string; field: string } }>(method, path, tenant.apiKeys.admin, body);
      expect({ path, status: r.status, field: r.body.error?.field?.replace(/^\//, '') }).toEqual({ path, status: 400, field });
    }
    expect((await system.api('GET', '/v1/reports', tenant.apiKeys.read)).status).toBe(403);
  });
});
