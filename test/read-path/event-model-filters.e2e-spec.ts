import { parse } from 'csv-parse/sync';
import type { ActionEvent, ActionEventInput } from '@agent-ledger/contracts';
import { LedgerClient } from '@agent-ledger/sdk';
import { LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { changeEvents, eventsOf, iso, sdkEvents, seedAction, type SeededAction } from './event-model-seed';

interface ActionItem {
  actionId: string;
  durationMs: number | null;
  taskId: string | null;
  plan: { planId: string; stepId: string | null } | null;
  approval: { approvalId: string | null; decisionMs: number | null } | null;
}

interface EventItem {
  eventId: string;
  event: ActionEvent;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The richer event model and the filters of the read path, end to end: messages, the task
 * lifecycle, budget, plan and approval ids sent through ingest (HTTP) and the SDK, read back through
 * the queries, the export (CSV parsed back) and the live stream; every new filter against the rows
 * the seed says it must return; the slowest-operations list in order and without repeats.
 */
describe('event model and filters', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  let tenant: TestTenant;
  let actions: SeededAction[];
  let events: ActionEventInput[];
  let seededFrom: string;

  beforeAll(async () => {
    await system.start();
    seededFrom = iso(Date.now() - 60_000);
    tenant = await system.createTenant(`event-model-${system.suffix}`);
    actions = Array.from({ length: 160 }, (_, i) => seedAction(system.suffix, i));
    events = [...actions.flatMap(eventsOf), ...changeEvents()];
    const before = await system.countStored(tenant.tenantId);
    for (let i = 0; i < events.length; i += 250) expect((await system.postEvents(tenant.apiKeys.ingest, { events: events.slice(i, i + 250) })).status).toBe(202);

    // Messages and the task lifecycle go through the SDK (HTTP mode).
    const sdk = new LedgerClient({ url: system.url('ingest-api'), apiKey: tenant.apiKeys.ingest, flushIntervalMs: 20 });
    for (const e of sdkEvents()) {
      if (e.type === 'message.recorded') await sdk.message({ ...e, sessionId: e.sessionId!, message: e.message! });
      else if (e.type === 'task.queued') await sdk.taskQueued({ ...e, taskId: e.taskId! });
      else if (e.type === 'task.completed') await sdk.taskCompleted({ ...e, taskId: e.taskId! });
      else await sdk.taskFailed({ ...e, taskId: e.taskId!, error: e.error! });
      events.push(e);
    }
    await sdk.close();

    await system.waitForStored(tenant.tenantId, before + events.length);
    await waitFor(async () => (await system.db.query(`SELECT count(*)::int AS n FROM actions WHERE tenant_id = $1 AND status <> 'attempted'`, [tenant.tenantId])).rows[0].n === actions.filter((a) => a.outcome !== 'open' || a.approvalId).length, {
      timeoutMs: 30_000,
      what: 'every action projected',
    });
  });

  afterAll(() => system.stop());

  it('should narrow actions by provider, subject, task, plan, approval id and free text to exactly the seeded ones', async () => {
    const cases: [string, (a: SeededAction) => boolean][] = [
      ['provider=hubspot', (a) => a.provider === 'hubspot'],
      ['subjectId=cus-3', (a) => a.subjectId === 'cus-3'],
      ['taskId=task-2', (a) => a.taskId === 'task-2'],
      ['planId=plan-1', (a) => a.plan?.planId === 'plan-1'],
      ['approvalId=apr-35', (a) => a.approvalId === 'apr-35'],
      ['q=TIMEOUT', (a) => contains([a.tool, a.agentId, a.agentName, a.errorMessage], 'timeout')],
      ['q=billing', (a) => contains([a.tool, a.agentId, a.agentName, a.errorMessage], 'billing')],
      ['q=crm.update', (a) => contains([a.tool, a.agentId, a.agentName, a.errorMessage], 'crm.update')],
      ['q=agent-3', (a) => contains([a.tool, a.agentId, a.agentName, a.errorMessage], 'agent-3')],
      ['q=50%25', (a) => contains([a.tool, a.agentId, a.agentName, a.errorMessage], '50%')],
      ['provider=hubspot&taskId=task-2&q=refund', (a) => a.provider === 'hubspot' && a.taskId === 'task-2' && contains([a.tool, a.agentId, a.agentName, a.errorMessage], 'refund')],
    ];
    for (const [query, pick] of cases) {
      const expected = actions.filter(pick).map((a) => a.actionId).sort();
      expect({ query, n: expected.length > 0 }).toEqual({ query, n: true });
      const got = (await listAll<ActionItem>(`/v1/actions?${query}&limit=23`)).map((a) => a.actionId).sort();
      expect({ query, got }).toEqual({ query, got: expected });
    }
  });

  it('should take LIKE wildcards in q literally when a wildcard reading would match', async () => {
    // "d_b" as a LIKE pattern matches "Card declined by issuer"; as text it is in no field.
    expect(actions.some((a) => /d.b/i.test(a.errorMessage ?? ''))).toBe(true);
    expect(await listAll<ActionItem>('/v1/actions?q=d_b')).toEqual([]);
    expect(await listAll<EventItem>('/v1/events?q=d_b')).toEqual([]);
  });

  it('should narrow events by task, plan, approval id, provider, subject, change action and free text to exactly the seeded ones', async () => {
    const cases: [string, (e: ActionEventInput) => boolean][] = [
      ['taskId=task-3', (e) => e.taskId === 'task-3'],
      ['planId=plan-2', (e) => e.plan?.planId === 'plan-2'],
      ['approvalId=apr-70', (e) => e.approval?.approvalId === 'apr-70'],
      ['provider=zendesk', (e) => e.tool?.provider === 'zendesk'],
      ['subjectId=cus-1', (e) => e.subject?.id === 'cus-1'],
      ['changeAction=create&resourceType=widget', (e) => e.resource?.type === 'widget' && e.changes?.before === null],
      ['changeAction=delete&resourceType=widget', (e) => e.resource?.type === 'widget' && e.changes?.after === null],
      ['changeAction=update&resourceType=widget', (e) => e.resource?.type === 'widget' && e.changes?.before !== null && e.changes?.after !== null],
      ['type=task.failed', (e) => e.type === 'task.failed'],
      ['q=timeout', (e) => contains([e.tool?.name, e.agent?.id, e.agent?.name, e.error?.message], 'timeout')],
      ['taskId=task-1&type=message.recorded', (e) => e.taskId === 'task-1' && e.type === 'message.recorded'],
    ];
    for (const [query, pick] of cases) {
      const expected = events.filter(pick).map((e) => e.eventId!).sort();
      expect({ query, n: expected.length > 0 }).toEqual({ query, n: true });
      const got = (await listAll<EventItem>(`/v1/events?${query}&limit=17`)).map((e) => e.eventId).sort();
      expect({ query, got }).toEqual({ query, got: expected });
    }
  });

  it('should read every change event back with the change action its before and after say', async () => {
    for (const action of ['create', 'update', 'delete'] as const) {
      const got = await listAll<EventItem>(`/v1/events?changeAction=${action}&limit=50`);
      expect(got.length).toBeGreaterThan(0);
      for (const { event } of got) {
        const derived = event.changes!.before === null ? 'create' : event.changes!.after === null ? 'delete' : 'update';
        expect({ eventId: event.eventId, derived }).toEqual({ eventId: event.eventId, derived: action });
      }
    }
  });

  it('should list the slowest operations in order, paginated without repeats, and leave out actions without a duration', async () => {
    const timed = actions.filter((a) => a.durationMs !== undefined);
    for (const query of ['sort=duration_desc', 'sort=duration_desc&provider=stripe']) {
      const items = await listAll<ActionItem>(`/v1/actions?${query}&limit=9`);
      const durations = items.map((a) => a.durationMs!);
      expect(durations).toEqual([...durations].sort((x, y) => y - x));
      expect(new Set(items.map((a) => a.actionId)).size).toBe(items.length);
      const expected = timed.filter((a) => !query.includes('provider') || a.provider === 'stripe');
      expect(items.map((a) => a.actionId).sort()).toEqual(expected.map((a) => a.actionId).sort());
      const byId = new Map(expected.map((a) => [a.actionId, a.durationMs]));
      for (const a of items) expect(a.durationMs).toBe(byId.get(a.actionId));
    }
    const first = await system.api<Page<ActionItem>>('GET', '/v1/actions?sort=duration_desc&limit=3', tenant.apiKeys.read);
    expect(first.body.items.map((a) => a.durationMs)).toEqual(timed.map((a) => a.durationMs!).sort((x, y) => y - x).slice(0, 3));
  });

  it('should project the typed fields of an action: task, plan, approval id and decision time', async () => {
    const a = actions.find((x) => x.approvalId && x.taskId && x.plan)!;
    const answer = await system.api<ActionItem>('GET', `/v1/actions/${a.actionId}`, tenant.apiKeys.read);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ taskId: a.taskId, plan: a.plan, approval: { approvalId: a.approvalId, decisionMs: Math.round(a.decisionMs!) } });
    const [row] = (await system.db.query(`SELECT approval_decision_ms FROM actions WHERE tenant_id = $1 AND action_id = $2`, [tenant.tenantId, a.actionId])).rows;
    expect(row.approval_decision_ms).toBe(Math.round(a.decisionMs!));
  });

  it('should round-trip messages, tasks, budget and plan through the queries', async () => {
    const sent = events.filter((e) => e.taskId === 'task-1' && !e.actionId);
    const got = await listAll<EventItem>('/v1/events?taskId=task-1&limit=100');
    const byId = new Map(got.map((e) => [e.eventId, e.event]));
    expect(sent.length).toBeGreaterThan(2);
    for (const e of sent) {
      expect(byId.get(e.eventId!)).toMatchObject({ type: e.type, taskId: 'task-1', ...pick(e, ['message', 'budget', 'plan', 'error', 'durationMs', 'sessionId']) });
    }
  });

  it('should export the typed fields as CSV columns that parse back to the values sent', async () => {
    const res = await fetch(`${system.url('audit-api')}/v1/export?format=csv&taskId=task-3`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` } });
    expect(res.status).toBe(200);
    const rows = parse(await res.text(), { columns: true }) as Record<string, string>[];
    const expected = events.filter((e) => e.taskId === 'task-3');
    expect(rows.map((r) => r.eventId).sort()).toEqual(expected.map((e) => e.eventId!).sort());
    const cell = (v: unknown) => (v === undefined || v === null ? '' : String(v));
    for (const e of expected) {
      const row = rows.find((r) => r.eventId === e.eventId)!;
      expect(row).toMatchObject({
        type: e.type,
        taskId: 'task-3',
        planId: cell(e.plan?.planId),
        stepId: cell(e.plan?.stepId),
        parentPlanId: cell(e.plan?.parentPlanId),
        approvalId: cell(e.approval?.approvalId),
        approvalDecisionMs: cell(e.approval?.decisionMs),
        budgetUsed: cell(e.budget?.used),
        budgetLimit: cell(e.budget?.limit),
        budgetUnit: cell(e.budget?.unit),
        messageRole: cell(e.message?.role),
        messageContent: cell(e.message?.content),
        messageTokens: cell(e.message?.tokens),
        messageModel: cell(e.message?.model),
        toolProvider: cell(e.tool?.provider),
        changeAction: '',
      });
    }
  });

  it('should replay only the filtered events on the live stream', async () => {
    const controller = new AbortController();
    const res = await fetch(`${system.url('audit-api')}/v1/stream?since=${seededFrom}&planId=plan-0&provider=stripe`, { headers: { authorization: `Bearer ${tenant.apiKeys.read}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    const expected = events.filter((e) => e.plan?.planId === 'plan-0' && e.tool?.provider === 'stripe').map((e) => e.eventId!);
    expect(expected.length).toBeGreaterThan(0);
    const reader = res.body!.getReader();
    let text = '';
    const deadline = Date.now() + 20_000;
    while (!expected.every((id) => text.includes(`id: ${id}\n`)) && Date.now() < deadline) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const ids = [...text.matchAll(/^id: (\S+)$/gm)].map((m) => m[1]).sort();
    expect(ids).toEqual([...expected].sort());
  });

  it('should refuse bad filter values and bad typed fields with 400 naming the field', async () => {
    const cases: [string, string][] = [
      ['/v1/actions?sort=fastest', 'sort'],
      ['/v1/actions?q=', 'q'],
      ['/v1/actions?q=a%07b', 'q'],
      [`/v1/actions?q=${'x'.repeat(201)}`, 'q'],
      ['/v1/events?changeAction=rename', 'changeAction'],
      ['/v1/export?changeAction=move', 'changeAction'],
      ['/v1/actions?changeAction=create', 'changeAction'],
      [`/v1/actions?taskId=${'t'.repeat(201)}`, 'taskId'],
      ['/v1/stream?provider=', 'provider'],
    ];
    for (const [path, field] of cases) {
      const answer = await system.api<{ error: { code: string; field: string } }>('GET', path, tenant.apiKeys.read);
      expect({ path, status: answer.status, field: answer.body.error?.field }).toEqual({ path, status: 400, field });
    }
    const recent = await system.api<Page<ActionItem>>('GET', '/v1/actions?limit=1', tenant.apiKeys.read);
    const crossed = await system.api<{ error: { code: string; field: string } }>('GET', `/v1/actions?sort=duration_desc&cursor=${recent.body.nextCursor}`, tenant.apiKeys.read);
    expect(crossed).toMatchObject({ status: 400, body: { error: { code: 'invalid_cursor', field: 'cursor' } } });

    const bad = await system.postEvents(tenant.apiKeys.ingest, {
      events: [
        { type: 'message.recorded', sessionId: 's', message: { role: 'robot', content: 'x'.repeat(32_001) } },
        { type: 'task.failed', budget: { used: -1, limit: 1, unit: 'usd' }, plan: { stepId: 's' } },
      ],
    });
    expect(bad.status).toBe(400);
    const fields = (bad.body as { error: { errors: { field: string }[] } }).error.errors.map((e) => e.field).sort();
    expect(fields).toEqual(['/events/0/message/content', '/events/0/message/role', '/events/1/budget/used', '/events/1/error', '/events/1/plan/planId', '/events/1/taskId'].sort());
  });

  async function listAll<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | null = null;
    do {
      const answer: { status: number; body: Page<T> } = await system.api<Page<T>>('GET', `${path}${cursor ? `&cursor=${cursor}` : ''}`, tenant.apiKeys.read);
      expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      out.push(...answer.body.items);
      cursor = answer.body.nextCursor;
    } while (cursor);
    return out;
  }
});

function contains(fields: (string | undefined)[], needle: string): boolean {
  return fields.some((f) => f !== undefined && f.toLowerCase().includes(needle.toLowerCase()));
}

function pick<T extends object>(value: T, keys: (keyof T)[]): Partial<T> {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]])) as Partial<T>;
}
