import { parse } from 'csv-parse/sync';
import type { ActionEventInput, ApprovalDecision, RiskLevel } from '@agent-ledger/contracts';
import { anActionEventInput, LedgerSystem, waitFor, type HttpAnswer, type TestTenant } from '@agent-ledger/testing';

interface SeededAction {
  actionId: string;
  status: 'attempted' | 'confirmed' | 'executed' | 'failed' | 'cancelled';
  tool: string;
  riskLevel: RiskLevel;
  sessionId: string;
  agentId: string;
  actorId: string;
  approvalDecision?: ApprovalDecision;
  anomaly: boolean;
  durationMs?: number;
  startedAt: number;
}

interface ActionItem {
  actionId: string;
  status: string;
  tool: { name: string } | null;
  anomaly: boolean;
}

const TOOLS = ['refund_order', 'cancel_subscription', 'send_email', 'update_crm'];
const RISKS: RiskLevel[] = ['safe', 'moderate', 'destructive', 'critical'];
const STATUSES: SeededAction['status'][] = ['attempted', 'confirmed', 'executed', 'failed', 'cancelled'];

/**
 * The read path over events seeded through the real write path: filters against independent
 * counts, stable pagination while events arrive, stats, export, live stream, tenant isolation and
 * bad parameters.
 */
describe('audit-api queries', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  const base = Date.parse('2026-03-01T00:00:00Z');
  let tenant: TestTenant;
  let other: TestTenant;
  let seeded: SeededAction[];
  let seededEvents = 0;

  beforeAll(async () => {
    await system.start();
    [tenant, other] = await Promise.all([system.createTenant(`reads-${system.suffix}`), system.createTenant(`others-${system.suffix}`)]);
    seeded = Array.from({ length: 600 }, (_, i) => seedAction(i));
    const events = seeded.flatMap(eventsOf).sort(() => Math.random() - 0.5);
    seededEvents = events.length;
    for (let i = 0; i < events.length; i += 500) expect((await system.postEvents(tenant.apiKeys.ingest, { events: events.slice(i, i + 500) })).status).toBe(202);
    // Tenant B has data of its own, with the same action ids.
    expect((await system.postEvents(other.apiKeys.ingest, { events: seeded.slice(0, 50).flatMap(eventsOf) })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, seededEvents + 1);
    await waitFor(async () => (await listAll('/v1/actions?limit=1000', tenant.apiKeys.read)).length === seeded.length, { timeoutMs: 30_000, what: 'every action projected' });
  });

  afterAll(() => system.stop());

  it('should narrow actions by each filter to exactly the seeded ones when filtering', async () => {
    const cases: [string, (a: SeededAction) => boolean][] = [
      ['status=failed', (a) => a.status === 'failed'],
      ['status=confirmed', (a) => a.status === 'confirmed'],
      ['tool=send_email', (a) => a.tool === 'send_email'],
      ['riskLevel=critical', (a) => a.riskLevel === 'critical'],
      ['sessionId=sess-7', (a) => a.sessionId === 'sess-7'],
      ['agentId=agent-2', (a) => a.agentId === 'agent-2'],
      ['actorId=user-3', (a) => a.actorId === 'user-3'],
      ['approvalDecision=rejected', (a) => a.approvalDecision === 'rejected'],
      ['anomaly=true', (a) => a.anomaly],
      ['anomaly=false', (a) => !a.anomaly],
      [`from=${iso(base + 100 * 60_000)}&to=${iso(base + 200 * 60_000)}`, (a) => a.startedAt >= base + 100 * 60_000 && a.startedAt < base + 200 * 60_000],
      ['status=executed&tool=refund_order', (a) => a.status === 'executed' && a.tool === 'refund_order'],
    ];
    for (const [query, pick] of cases) {
      const expected = seeded.filter(pick).map((a) => a.actionId).sort();
      expect(expected.length).toBeGreaterThan(0);
      const got = (await listAll(`/v1/actions?${query}&limit=37`, tenant.apiKeys.read)).map((a) => a.actionId).sort();
      expect({ query, got }).toEqual({ query, got: expected });
    }
  });

  it('should return each of 5,000 actions exactly once when paginating while new events keep arriving', async () => {
    const paging = await system.createTenant(`paging-${system.suffix}`);
    const ids = Array.from({ length: 5_000 }, (_, i) => `p-${i}`);
    const events = ids.map((actionId, i) => anActionEventInput({ type: 'action.attempted', actionId, sessionId: `s-${i % 50}`, occurredAt: iso(base + i * 1_000) }));
    for (let i = 0; i < events.length; i += 1_000) expect((await system.postEvents(paging.apiKeys.ingest, { events: events.slice(i, i + 1_000) })).status).toBe(202);
    await system.waitForStored(paging.tenantId, events.length + 1);
    await waitFor(async () => (await system.db.query(`SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1`, [paging.tenantId])).rows[0].n === ids.length, { timeoutMs: 30_000, what: '5,000 actions projected' });

    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const answer: HttpAnswer<{ items: ActionItem[]; nextCursor: string | null }> = await system.api('GET', `/v1/actions?limit=100${cursor ? `&cursor=${cursor}` : ''}`, paging.apiKeys.read);
      expect(answer.status).toBe(200);
      seen.push(...answer.body.items.map((a) => a.actionId));
      cursor = answer.body.nextCursor;
      // Between pages: new actions, and late events dated before everything for actions listed and not yet listed.
      const arriving: ActionEventInput[] = [
        anActionEventInput({ type: 'action.attempted', actionId: `new-${page}`, sessionId: 'live', occurredAt: iso(Date.now()) }),
        anActionEventInput({ type: 'action.failed', actionId: `p-${4_999 - page * 7}`, sessionId: 'late', occurredAt: iso(base - 1_000) }),
        anActionEventInput({ type: 'action.confirmed', actionId: `p-${page * 13}`, sessionId: 'late', occurredAt: iso(base - 2_000) }),
      ];
      expect((await system.postEvents(paging.apiKeys.ingest, { events: arriving })).status).toBe(202);
      page++;
    } while (cursor);
    expect(page).toBeGreaterThanOrEqual(50);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.filter((id) => id.startsWith('p-')).sort()).toEqual([...ids].sort());
  });

  it('should answer the action timeline with each stage, approval, duration, error and redaction markers', async () => {
    const untouched = seeded.slice(100);
    const a = untouched.find((x) => x.status === 'executed' && x.approvalDecision === 'approved' && !x.anomaly)!;
    const answer = await system.api<Record<string, unknown> & { timeline: Record<string, unknown>[] }>('GET', `/v1/actions/${a.actionId}`, tenant.apiKeys.read);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ actionId: a.actionId, status: 'executed', approval: { decision: 'approved' }, durationMs: a.durationMs });
    expect(answer.body.timeline.map((t) => t.type)).toEqual(['action.attempted', 'action.confirmed', 'action.executed']);
    expect(answer.body.timeline[0]).toMatchObject({ redacted: ['/input/apiKey'], event: { input: { apiKey: '[REDACTED]' } } });
    const failed = untouched.find((x) => x.status === 'failed')!;
    const f = await system.api<{ error: unknown; timeline: { type: string; error: unknown }[] }>('GET', `/v1/actions/${failed.actionId}`, tenant.apiKeys.read);
    expect(f.body.error).toEqual({ message: 'upstream timeout', code: 'E_TIMEOUT' });
    expect(f.body.timeline.at(-1)).toMatchObject({ type: 'action.failed', error: { message: 'upstream timeout' } });
    expect(await system.api('GET', `/v1/actions/nope`, tenant.apiKeys.read)).toMatchObject({ status: 404, body: { error: { code: 'action_not_found' } } });
  });

  it('should list raw events filtered by type and resource', async () => {
    const change = anActionEventInput({ type: 'change.recorded', sessionId: 'cfg', resource: { type: 'crm_contact', id: 'c-42' }, changes: { before: { tier: 'free' }, after: { tier: 'pro' } } });
    expect((await system.postEvents(tenant.apiKeys.ingest, change)).status).toBe(202);
    const trail = await waitFor(
      async () => {
        const r = await system.api<{ items: { eventId: string }[] }>('GET', `/v1/events?resourceType=crm_contact&resourceId=c-42`, tenant.apiKeys.read);
        return r.body.items.length ? r.body.items : undefined;
      },
      { timeoutMs: 20_000, what: 'the change trail of c-42' },
    );
    expect(trail.map((e) => e.eventId)).toEqual([change.eventId]);
    const failures = await system.api<{ items: { event: { type: string } }[] }>('GET', `/v1/events?type=action.failed&limit=1000`, tenant.apiKeys.read);
    expect(failures.body.items.every((e) => e.event.type === 'action.failed')).toBe(true);
    expect(failures.body.items.length).toBeGreaterThanOrEqual(seeded.filter((a) => a.status === 'failed').length);
  });

  it('should equal an independent computation when asked for statistics', async () => {
    const from = iso(base - 60_000);
    const to = iso(base + 601 * 60_000);
    const answer = await system.api<{
      totals: { actions: number; byStatus: Record<string, number> };
      successRate: number;
      successRateOfFinished: number;
      byRiskLevel: Record<string, number>;
      approvals: Record<string, number>;
      durations: { tool: string; n: number; p50: number; p95: number; p99: number }[];
      series: { actions: number }[];
    }>('GET', `/v1/stats?from=${from}&to=${to}`, tenant.apiKeys.read);
    expect(answer.status).toBe(200);
    const s = answer.body;
    // Late failures posted by the pagination test changed some statuses: compare with the stored projection's own view.
    expect(s.totals.actions).toBe(seeded.length);
    expect(Object.values(s.totals.byStatus).reduce((a, b) => a + b, 0)).toBe(seeded.length);
    for (const r of RISKS) expect(s.byRiskLevel[r]).toBe(seeded.filter((a) => a.riskLevel === r).length);
    for (const d of ['approved', 'rejected', 'auto'] as const) expect(s.approvals[d]).toBe(seeded.filter((a) => a.approvalDecision === d).length);
    expect(s.series.reduce((n, p) => n + p.actions, 0)).toBe(seeded.length);
    for (const tool of TOOLS) {
      const values = seeded.filter((a) => a.tool === tool && a.durationMs !== undefined && a.status === 'executed').map((a) => a.durationMs!);
      const row = s.durations.find((d) => d.tool === tool)!;
      expect(row.n).toBeGreaterThanOrEqual(values.length);
      for (const [q, got] of [[0.5, row.p50], [0.95, row.p95], [0.99, row.p99]] as const) expect(withinOneRank(values, q, got)).toBe(true);
    }
    const { byStatus } = s.totals;
    expect(s.successRate).toBeCloseTo(byStatus.executed / seeded.length, 10);
    expect(s.successRateOfFinished).toBeCloseTo(byStatus.executed / (byStatus.executed + byStatus.failed), 10);
  });

  it('should summarise a session', async () => {
    const mine = seeded.filter((a) => a.sessionId === 'sess-17');
    const answer = await system.api<{ actions: number; byRiskLevel: Record<string, number>; totalDurationMs: number }>('GET', `/v1/sessions/sess-17/summary`, tenant.apiKeys.read);
    expect(answer.status).toBe(200);
    expect(answer.body.actions).toBe(mine.length);
    for (const r of RISKS) expect(answer.body.byRiskLevel[r] ?? 0).toBe(mine.filter((a) => a.riskLevel === r).length);
    expect(answer.body.totalDurationMs).toBe(mine.reduce((n, a) => n + (a.durationMs ?? 0), 0));
  });

  it('should stream a CSV export that parses back to the same rows with formulas neutralised', async () => {
    const res = await fetch(`${system.url('audit-api')}/v1/export?format=csv&sessionId=sess-15`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="agent-ledger-events-.*\.csv"$/);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const expected = seeded.filter((a) => a.sessionId === 'sess-15').flatMap(eventsOf);
    expect(rows.map((r) => r.eventId).sort()).toEqual(expected.map((e) => e.eventId).sort());
    for (const r of rows) expect(r.agentName).toMatch(/^'=HYPERLINK\("http:\/\/evil\.example","agent-\d"\)$/);
    const attempted = rows.find((r) => r.type === 'action.attempted')!;
    expect(JSON.parse(attempted.input)).toMatchObject({ note: '=HYPERLINK("http://evil.example","click")', apiKey: '[REDACTED]' });
    const jsonl = await fetch(`${system.url('audit-api')}/v1/export?format=jsonl&sessionId=sess-15`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` } });
    expect((await jsonl.text()).trim().split('\n')).toHaveLength(expected.length);
    const json = await system.api<unknown[]>('GET', `/v1/export?format=json&sessionId=sess-15`, tenant.apiKeys.read);
    expect(json.body).toHaveLength(expected.length);
  });

  it('should deliver a newly recorded event over server-sent events with the filters applied', async () => {
    const controller = new AbortController();
    const res = await fetch(`${system.url('audit-api')}/v1/stream?type=signal.handoff_requested`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const reader = res.body!.getReader();
    let text = '';
    const wanted = anActionEventInput({ type: 'signal.handoff_requested', sessionId: 'live-sse' });
    const unwanted = anActionEventInput({ type: 'signal.rate_limited', sessionId: 'live-sse' });
    await reader.read(); // the connection comment
    expect((await system.postEvents(tenant.apiKeys.ingest, { events: [unwanted, wanted] })).status).toBe(202);
    const deadline = Date.now() + 20_000;
    while (!text.includes(wanted.eventId!) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    expect(text).toContain(`id: ${wanted.eventId}\nevent: ledger-event\ndata: `);
    expect(text).not.toContain(unwanted.eventId);
  });

  it('should show tenant B nothing of tenant A on any endpoint', async () => {
    const key = other.apiKeys.read;
    const actions = await listAll('/v1/actions?limit=1000', key);
    expect(actions).toHaveLength(50); // its own 50, never tenant A's 600
    const a = seeded.find((x) => x.actionId === 'act-10')!;
    const mine = (await system.api<{ timeline: unknown[] }>('GET', `/v1/actions/${a.actionId}`, key)).body;
    expect(mine.timeline).toHaveLength(eventsOf(a).length);
    expect((await system.api('GET', `/v1/actions/act-500`, key)).status).toBe(404);
    expect((await system.api('GET', `/v1/sessions/live/summary`, key)).status).toBe(404);
    const stats = await system.api<{ totals: { actions: number } }>('GET', `/v1/stats?from=${iso(base - 60_000)}&to=${iso(base + 601 * 60_000)}`, key);
    expect(stats.body.totals.actions).toBe(50);
    const csv = await fetch(`${system.url('audit-api')}/v1/export?format=jsonl`, { headers: { authorization: `Bearer ${key}` } });
    for (const line of (await csv.text()).trim().split('\n')) expect(JSON.parse(line).event.tenantId).toBe(other.tenantId);
  });

  it('should answer 400 naming the parameter for bad parameters', async () => {
    const key = tenant.apiKeys.read;
    const first = await system.api<{ nextCursor: string }>('GET', `/v1/actions?limit=1`, key);
    const cases: [string, string][] = [
      ['/v1/actions?status=exploded', 'status'],
      ['/v1/actions?from=31-12-2026', 'from'],
      ['/v1/actions?limit=1000000', 'limit'],
      [`/v1/actions?status=${encodeURIComponent("executed' OR '1'='1")}`, 'status'],
      ['/v1/actions?riskLevel=apocalyptic', 'riskLevel'],
      ['/v1/actions?anomaly=maybe', 'anomaly'],
      ['/v1/actions?colour=red', 'colour'],
      ['/v1/actions?cursor=not-a-cursor', 'cursor'],
      ['/v1/events?type=action.exploded', 'type'],
      ['/v1/stats?to=yesterday', 'to'],
      ['/v1/export?format=xlsx', 'format'],
    ];
    for (const [path, field] of cases) expect({ path, answer: await system.api('GET', path, key) }).toMatchObject({ path, answer: { status: 400, body: { error: { field } } } });
    // A cursor from tenant A is refused for tenant B.
    const foreign = await system.api('GET', `/v1/actions?limit=1&cursor=${first.body.nextCursor}`, other.apiKeys.read);
    expect(foreign).toMatchObject({ status: 400, body: { error: { code: 'invalid_cursor', field: 'cursor' } } });
  });

  // ---------------------------------------------------------------------------------------------

  async function listAll(path: string, key: string): Promise<ActionItem[]> {
    const out: ActionItem[] = [];
    let cursor: string | null = null;
    do {
      const answer: HttpAnswer<{ items: ActionItem[]; nextCursor: string | null }> = await system.api('GET', `${path}${cursor ? `&cursor=${cursor}` : ''}`, key);
      if (answer.status !== 200) throw new Error(`${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
      out.push(...answer.body.items);
      cursor = answer.body.nextCursor;
    } while (cursor);
    return out;
  }

  function seedAction(i: number): SeededAction {
    const status = STATUSES[i % STATUSES.length];
    const anomaly = i % 29 === 0 && status === 'cancelled';
    const approvalDecision: ApprovalDecision | undefined =
      status === 'cancelled' ? 'rejected' : status === 'confirmed' || status === 'executed' ? (i % 3 === 2 ? 'auto' : 'approved') : undefined;
    return {
      actionId: `act-${i}`,
      status: anomaly ? 'executed' : status,
      tool: TOOLS[i % TOOLS.length],
      riskLevel: RISKS[Math.floor(i / 3) % RISKS.length],
      sessionId: `sess-${i % 20}`,
      agentId: `agent-${i % 6}`,
      actorId: `user-${i % 9}`,
      approvalDecision,
      anomaly,
      durationMs: status === 'executed' || anomaly ? 50 + ((i * 37) % 400) : undefined,
      startedAt: base + i * 60_000,
    };
  }

  function eventsOf(a: SeededAction): ActionEventInput[] {
    const common = {
      actionId: a.actionId,
      sessionId: a.sessionId,
      // A name a spreadsheet would run as a formula if the export did not neutralise it.
      agent: { id: a.agentId, name: `=HYPERLINK("http://evil.example","${a.agentId}")` },
      actor: { type: 'user' as const, id: a.actorId },
      tool: { name: a.tool, riskLevel: a.riskLevel },
    };
    const at = (step: number) => iso(a.startedAt + step * 1_000);
    const id = (step: number) => `00000000-0000-4000-8000-${(Number(a.actionId.slice(4)) * 10 + step).toString().padStart(12, '0')}`;
    const needsApproval = a.approvalDecision !== undefined;
    const out: ActionEventInput[] = [
      {
        ...common,
        eventId: id(0),
        type: 'action.attempted',
        occurredAt: at(0),
        input: { orderId: `A-${a.actionId}`, apiKey: 'sk-live-123', note: '=HYPERLINK("http://evil.example","click")' },
        approval: needsApproval ? { required: true } : { required: false, decision: 'not_required' },
      },
    ];
    if (a.status === 'confirmed' || a.status === 'executed') {
      out.push({ ...common, eventId: id(1), type: 'action.confirmed', occurredAt: at(1), approval: { required: true, decision: a.approvalDecision ?? 'auto', approvedBy: 'lead@example.com' } });
    }
    if (a.status === 'executed' && !a.anomaly) out.push({ ...common, eventId: id(2), type: 'action.executed', occurredAt: at(2), durationMs: a.durationMs, output: { ok: true } });
    if (a.status === 'failed') out.push({ ...common, eventId: id(2), type: 'action.failed', occurredAt: at(2), error: { message: 'upstream timeout', code: 'E_TIMEOUT' } });
    if (a.status === 'cancelled' || a.anomaly) out.push({ ...common, eventId: id(3), type: 'action.cancelled', occurredAt: at(3), approval: { required: true, decision: 'rejected' } });
    if (a.anomaly) out.push({ ...common, eventId: id(4), type: 'action.executed', occurredAt: at(4), durationMs: a.durationMs });
    return out;
  }
});

const iso = (ms: number): string => new Date(ms).toISOString();

/** Whether `got` lies between the values one rank either side of the q-quantile of `values`. */
function withinOneRank(values: number[], q: number, got: number): boolean {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lo = sorted[Math.max(0, Math.floor(rank) - 1)];
  const hi = sorted[Math.min(sorted.length - 1, Math.ceil(rank) + 1)];
  return got >= lo && got <= hi;
}
