import { randomUUID } from 'node:crypto';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { cleanEnv, runCli } from './cli-runner';

/** Exit codes the CLI documents (docs/cli.md). */
const EXIT = { ok: 0, usage: 2, apiError: 3 };

type Escalation = { escalationId: string; status: string; reason: string; sessionId: string; notes?: string | null; history?: { type: string; event?: Record<string, unknown> }[] };

/**
 * `agent-ledger session` and `agent-ledger escalations list|ack|resolve` as a user runs them, against
 * the real audit API with events posted through ingest and escalations opened through the API.
 */
describe('agent-ledger session and escalations', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  const session = `sess-${system.suffix}`;
  /** actionId → final status, posted below. */
  const actions: Record<string, 'executed' | 'failed' | 'attempted'> = {
    [`pay-${system.suffix}`]: 'executed',
    [`mail-${system.suffix}`]: 'failed',
    [`note-${system.suffix}`]: 'attempted',
  };
  let tenant: TestTenant;
  let env: NodeJS.ProcessEnv;
  let admin: NodeJS.ProcessEnv;
  let escalationIds: string[] = [];

  const escalation = (id: string) => system.api<Escalation>('GET', `/v1/escalations/${id}`, tenant.apiKeys.read);
  const waitForStatus = (id: string, status: string) =>
    waitFor(async () => ((await escalation(id)).body.status === status ? (await escalation(id)).body : undefined), { timeoutMs: 20_000, what: `escalation ${id} ${status}` });

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`cli-se-${system.suffix}`);
    env = cleanEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: tenant.apiKeys.read });
    admin = { ...env, LEDGER_API_KEY: tenant.apiKeys.admin };
    const events = Object.entries(actions).flatMap(([actionId, status], i) => {
      const base = { actionId, sessionId: session, tool: { name: `tool_${i}`, riskLevel: 'safe' as const }, occurredAt: new Date(Date.now() - (10 - i) * 1_000).toISOString() };
      const attempted = anActionEventInput({ ...base, type: 'action.attempted' });
      if (status === 'attempted') return [attempted];
      const end = anActionEventInput({ ...base, type: `action.${status}` as 'action.executed', occurredAt: new Date(Date.now() - (10 - i) * 1_000 + 250).toISOString(), ...(status === 'failed' ? { error: { message: 'smtp down' } } : {}) });
      return [attempted, end];
    });
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, events.length + 1); // + the tenant.created change

    for (const note of ['customer asked for a human', 'refund looks wrong']) {
      const opened = await system.api<{ escalationId: string }>('POST', '/v1/escalations', tenant.apiKeys.admin, { sessionId: session, reason: 'manual', note });
      expect(opened.status).toBe(202);
      escalationIds.push(opened.body.escalationId);
    }
    escalationIds = escalationIds.sort();
    for (const id of escalationIds) await waitForStatus(id, 'open');
  }, 120_000);

  afterAll(() => system.stop());

  describe('session', () => {
    it('should print the summary counts and every action of the session', async () => {
      const r = await runCli(['session', session], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(EXIT.ok);
      const count = (s: string) => Object.values(actions).filter((v) => v === s).length;
      expect(r.stdout).toMatch(new RegExp(`^actions\\s+${Object.keys(actions).length}$`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^by status\\s+.*attempted ${count('attempted')}`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^by status\\s+.*executed ${count('executed')}`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^by status\\s+.*failed ${count('failed')}`, 'm'));
      expect(r.stdout).toMatch(new RegExp(`^escalations\\s+open ${escalationIds.length}$`, 'm'));
      expect(r.stdout).toContain(`active escalations (${escalationIds.length})`);
      for (const id of escalationIds) expect(r.stdout).toMatch(new RegExp(`${id}\\s+open\\s+manual`));
      for (const [id, status] of Object.entries(actions)) expect(r.stdout).toMatch(new RegExp(`${id}\\s+${status}\\b`));
    });

    it('should print the summary and the actions as JSON with --json', async () => {
      const r = await runCli(['session', session, '--json'], env);
      expect(r.code).toBe(EXIT.ok);
      const body = JSON.parse(r.stdout) as { summary: { sessionId: string; actions: number }; actions: { actionId: string; status: string }[] };
      expect(body.summary).toMatchObject({ sessionId: session, actions: Object.keys(actions).length });
      expect(Object.fromEntries(body.actions.map((a) => [a.actionId, a.status]))).toEqual(actions);
    });

    it('should exit 3 naming session_not_found when the session is unknown', async () => {
      const r = await runCli(['session', `nope-${system.suffix}`], env);
      expect(r.code).toBe(EXIT.apiError);
      expect(r.stderr).toBe(`agent-ledger: session_not_found (404): no session nope-${system.suffix} (field: sessionId)\n`);
    });
  });

  describe('escalations', () => {
    it('should list the open escalations as a table and as JSON lines, filtered and limited', async () => {
      const table = await runCli(['escalations', '--status', 'open'], env);
      expect(table.code).toBe(EXIT.ok);
      expect(table.stdout).toMatch(/^OPENED\s+ID\s+STATUS\s+REASON/);
      for (const id of escalationIds) expect(table.stdout).toMatch(new RegExp(`${id}\\s+open\\s+manual`));

      const lines = await runCli(['escalations', 'list', '--status', 'open', '--reason', 'manual', '--json'], env);
      const listed = lines.stdout.trim().split('\n').map((l) => JSON.parse(l) as Escalation);
      expect(listed.map((e) => e.escalationId).sort()).toEqual(escalationIds);
      expect(listed.every((e) => e.status === 'open' && e.reason === 'manual' && e.sessionId === session)).toBe(true);

      const one = await runCli(['escalations', 'list', '--limit', '1', '--json'], env);
      expect(one.stdout.trim().split('\n')).toHaveLength(1);
      const none = await runCli(['escalations', '--status', 'resolved'], env);
      expect({ code: none.code, stdout: none.stdout, stderr: none.stderr }).toEqual({ code: EXIT.ok, stdout: '', stderr: 'no escalations match\n' });
    });

    it('should acknowledge and resolve an escalation with notes, then refuse to resolve it again', async () => {
      const [id] = escalationIds;
      const ack = await runCli(['escalations', 'ack', id, '--note', 'on it'], admin);
      expect(ack.stderr).toBe('');
      expect(ack.code).toBe(EXIT.ok);
      expect(ack.stdout).toMatch(new RegExp(`^escalation ${id} acknowledged \\(event [0-9a-f-]{36};`));
      const acknowledged = await waitForStatus(id, 'acknowledged');
      expect(acknowledged.history!.find((h) => h.type === 'escalation.acknowledged')?.event).toMatchObject({ note: 'on it' });
      const listed = await runCli(['escalations', '--status', 'acknowledged', '--json'], env);
      expect(listed.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Escalation).escalationId)).toEqual([id]);

      const resolved = await runCli(['escalations', 'resolve', id, '--note', 'refund issued', '--json'], admin);
      expect(resolved.code).toBe(EXIT.ok);
      expect(JSON.parse(resolved.stdout)).toMatchObject({ escalationId: id, status: 'resolved' });
      expect((await waitForStatus(id, 'resolved')).notes).toBe('refund issued');

      const again = await runCli(['escalations', 'resolve', id], admin);
      expect(again.code).toBe(EXIT.apiError);
      expect(again.stderr).toContain(`escalation_resolved (409): escalation ${id} is already resolved`);
    });

    it('should exit 3 for an unknown escalation, 2 for a malformed id and 4 for a read key', async () => {
      const unknown = randomUUID();
      const r = await runCli(['escalations', 'ack', unknown], admin);
      expect(r.code).toBe(EXIT.apiError);
      expect(r.stderr).toBe(`agent-ledger: escalation_not_found (404): no escalation ${unknown} (field: escalationId)\n`);
      const malformed = await runCli(['escalations', 'resolve', 'esc-1'], admin);
      expect(malformed.code).toBe(EXIT.usage);
      expect(malformed.stderr).toContain('"esc-1" is not an escalation id');
      const readOnly = await runCli(['escalations', 'ack', escalationIds[1]], env);
      expect(readOnly.code).toBe(4);
      expect(readOnly.stderr).toContain('403');
    });
  });
});
