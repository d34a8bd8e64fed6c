import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { anActionEventInput, freePort, LedgerSystem, waitFor, WORKSPACE_ROOT, type TestTenant } from '@agent-ledger/testing';
import { parse as parseCsv } from 'csv-parse/sync';
import { cleanEnv, runCli, startCli } from './cli-runner';

/** A value a spreadsheet would run; exports must neutralize it. */
const FORMULA = '=HYPERLINK("http://evil.example","open")';

/** Exit codes the CLI documents (docs/cli.md). */
const EXIT = { ok: 0, verificationFailed: 1, usage: 2, apiError: 3, auth: 4, unreachable: 5 };

/**
 * The `agent-ledger` bin as a user runs it after `npm install` and `npm run build`, against the real
 * services (audit-api, ingest-api, audit-projector) with events posted through ingest.
 */
describe('agent-ledger CLI', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  const session = `cli-${system.suffix}`;
  /** actionId → [status after the events below, tool, risk] */
  const actions: Record<string, { status: string; tool: string; risk: 'safe' | 'moderate' | 'destructive' | 'critical' }> = {
    [`refund-${system.suffix}`]: { status: 'executed', tool: 'refund_order', risk: 'destructive' },
    [`crm-${system.suffix}`]: { status: 'failed', tool: 'crm_write', risk: 'critical' },
    [`note-${system.suffix}`]: { status: 'attempted', tool: 'write_note', risk: 'safe' },
    [`cancel-${system.suffix}`]: { status: 'cancelled', tool: 'cancel_subscription', risk: 'moderate' },
  };
  let tenant: TestTenant;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let posted = 0;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`cli-${system.suffix}`);
    dir = await mkdtemp(path.join(tmpdir(), 'agent-ledger-cli-'));
    env = cleanEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: tenant.apiKeys.read });

    const events = Object.entries(actions).flatMap(([actionId, a], i) => {
      const base = { actionId, sessionId: session, tool: { name: a.tool, riskLevel: a.risk }, occurredAt: new Date(Date.now() - (10 - i) * 1_000).toISOString() };
      const attempted = anActionEventInput({ ...base, type: 'action.attempted', agent: { id: 'support-bot', name: FORMULA }, input: { token: 'secret-token' } });
      if (a.status === 'attempted') return [attempted];
      const end = anActionEventInput({ ...base, type: `action.${a.status}` as 'action.executed', occurredAt: new Date(Date.now() - (10 - i) * 1_000 + 500).toISOString() });
      return [attempted, end];
    });
    const answer = await system.postEvents(tenant.apiKeys.ingest, { events });
    expect(answer.status).toBe(202);
    posted = events.length;
    await system.waitForStored(tenant.tenantId, posted + 1); // + the tenant.created change
    await system.waitForCheckpointAtHeads(tenant.tenantId);
  });

  afterAll(async () => {
    await system.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  describe('install', () => {
    it('should print the usage when run through npx from the repository root', () => {
      const r = spawnSync('npx', ['--no-install', 'agent-ledger', '--help'], { cwd: WORKSPACE_ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
      expect(r.status).toBe(EXIT.ok);
      expect(r.stdout).toMatch(/^Usage: agent-ledger \[options\] \[command\]/);
      expect(r.stdout).toMatch(/export-chain[\s\S]*verify[\s\S]*tail/);
    });

    it('should exit with the usage code and name the flag when a flag is unknown', async () => {
      const r = await runCli(['actions', '--colour'], env);
      expect(r.code).toBe(EXIT.usage);
      expect(r.stderr).toContain("agent-ledger: unknown option '--colour'");
    });
  });

  describe('errors', () => {
    it('should print the auth message and exit 4 when the key is not valid', async () => {
      const r = await runCli(['verify', '--key', `alk_read_${'x'.repeat(43)}`], env);
      expect(r.code).toBe(EXIT.auth);
      expect(r.stderr).toMatch(/^agent-ledger: the API key was rejected \(401 [a-z_]+: .+\): check --key or LEDGER_API_KEY\n$/);
    });

    it('should print the scope message and exit 4 when an ingest key reads', async () => {
      const r = await runCli(['verify'], { ...env, LEDGER_API_KEY: tenant.apiKeys.ingest });
      expect(r.code).toBe(EXIT.auth);
      expect(r.stderr).toContain('agent-ledger: the API key is not allowed to do this (403');
    });

    it('should print the connection message and exit 5 when nothing listens at the URL', async () => {
      const url = `http://127.0.0.1:${await freePort()}`;
      const r = await runCli(['verify', '--url', url], env);
      expect(r.code).toBe(EXIT.unreachable);
      expect(r.stderr).toBe(`agent-ledger: cannot reach the audit API at ${url} (ECONNREFUSED): is it running? Check --url or LEDGER_URL\n`);
    });

    it('should print the code, message and field and exit 3 when the API rejects a parameter', async () => {
      const r = await runCli(['actions', '--tool', 't'.repeat(201)], env);
      expect(r.code).toBe(EXIT.apiError);
      expect(r.stderr).toBe('agent-ledger: validation_failed (400): tool: tool must be at most 200 characters (field: tool)\n');
    });
  });

  describe('verify', () => {
    it('should report ok and exit 0 when the record is intact', async () => {
      const r = await runCli(['verify'], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toMatch(new RegExp(`^ok: ${posted + 1} events in \\d+ chains? against \\d+ signed checkpoints?; last checkpoint [0-9a-f-]{36} at `));
    });

    it('should verify an exported chain offline with the same answer and name the row after a line is tampered with', async () => {
      const events = path.join(dir, 'chain.jsonl');
      const exported = await runCli(['export-chain', '--out', events], env);
      expect(exported.stderr).toMatch(new RegExp(`^exported ${posted + 1} rows \\(.+\\) to ${events} and \\d+ checkpoints to ${path.join(dir, 'chain.checkpoints.jsonl')}\n`));
      expect(exported.code).toBe(EXIT.ok);
      const checkpoints = path.join(dir, 'chain.checkpoints.jsonl');

      const online = JSON.parse((await runCli(['verify', '--json'], env)).stdout);
      const offline = await runCli(['verify', '--offline', '--events', events, '--checkpoints', checkpoints, '--public-key', system.publicKeyBase64, '--json'], cleanEnv());
      expect(offline.code).toBe(EXIT.ok);
      const report = JSON.parse(offline.stdout);
      expect(report).toMatchObject({ ok: true, eventsChecked: online.eventsChecked, failures: [] });
      expect(report.chains.map((c: { partition: number; toSeq: string; headHash: string }) => [c.partition, c.toSeq, c.headHash])).toEqual(
        online.chains.map((c: { partition: number; toSeq: string; headHash: string }) => [c.partition, c.toSeq, c.headHash]),
      );

      // Tamper with one line: the refund's executed event now claims another tool.
      const lines = (await readFile(events, 'utf8')).split('\n');
      const index = lines.findIndex((l) => l.includes(`refund-${system.suffix}`) && l.includes('action.executed'));
      expect(index).toBeGreaterThanOrEqual(0);
      const row = JSON.parse(lines[index]);
      lines[index] = JSON.stringify({ ...row, eventJson: row.eventJson.replace('refund_order', 'refund_ordex') });
      await writeFile(events, lines.join('\n'));

      const tampered = await runCli(['verify', '--offline', '--events', events, '--checkpoints', checkpoints], cleanEnv({ LEDGER_SIGNING_PUBLIC_KEY: system.publicKeyBase64 }));
      expect(tampered.code).toBe(EXIT.verificationFailed);
      expect(tampered.stdout).toMatch(/^FAILED: /);
      expect(tampered.stderr).toBe(
        `agent-ledger: first failure: hash_mismatch at ${events} line ${index + 1} (partition ${row.partition}, chain_seq ${row.chainSeq}, event ${row.eventId}): hash does not equal SHA-256(prev_hash ‖ event_json): the row was altered\n`,
      );
    });

    it('should fail offline verification when the checkpoints are checked with another key', async () => {
      const events = path.join(dir, 'chain2.jsonl');
      expect((await runCli(['export-chain', '--out', events, '--quiet'], env)).code).toBe(EXIT.ok);
      const otherKey = 'MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=';
      const r = await runCli(['verify', '--offline', '--events', events, '--checkpoints', path.join(dir, 'chain2.checkpoints.jsonl'), '--public-key', otherKey], cleanEnv());
      expect(r.code).toBe(EXIT.verificationFailed);
      expect(r.stderr).toContain('unknown_checkpoint_key');
    });
  });

  describe('actions, show and export', () => {
    it('should list the posted actions with their status in a table', async () => {
      const r = await runCli(['actions', '--session', session], env);
      expect(r.code).toBe(EXIT.ok);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^TIME\s+ACTION\s+STATUS\s+TOOL\s+RISK/);
      const listed = Object.fromEntries(lines.slice(1).map((l) => l.split(/\s{2,}/)).map((cells) => [cells[1], cells[2]]));
      expect(listed).toEqual(Object.fromEntries(Object.entries(actions).map(([id, a]) => [id, a.status])));
    });

    it('should print one JSON object per action across pages when --json is given', async () => {
      const r = await runCli(['actions', '--session', session, '--json', '--page-size', '3', '--all'], env);
      expect(r.code).toBe(EXIT.ok);
      const listed = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
      // Each action exactly once, whatever page it was on.
      expect(listed.map((a) => a.actionId).sort()).toEqual(Object.keys(actions).sort());
      expect(Object.fromEntries(listed.map((a) => [a.actionId, a.status]))).toEqual(Object.fromEntries(Object.entries(actions).map(([id, a]) => [id, a.status])));
    });

    it('should narrow the list when a filter is given', async () => {
      const r = await runCli(['actions', '--session', session, '--status', 'failed', '--json'], env);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).actionId)).toEqual([`crm-${system.suffix}`]);
    });

    it('should show an action with its timeline when given its id', async () => {
      const r = await runCli(['show', `refund-${system.suffix}`], env);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toMatch(/status\s+executed/);
      expect(r.stdout).toMatch(/timeline \(2 events\)/);
      expect(r.stdout).toMatch(/action\.attempted[\s\S]*action\.executed/);
    });

    it('should exit 3 naming the action when it does not exist', async () => {
      const r = await runCli(['show', `missing-${system.suffix}`], env);
      expect(r.code).toBe(EXIT.apiError);
      expect(r.stderr).toMatch(/^agent-ledger: [a-z_]+ \(404\): /);
    });

    it('should write a CSV export that parses back to the posted actions when --format csv is given', async () => {
      const out = path.join(dir, 'export.csv');
      const r = await runCli(['export', '--format', 'csv', '--out', out, '--session', session], env);
      expect(r.code).toBe(EXIT.ok);
      // stderr is a pipe here: a summary line, no progress redraws.
      expect(r.stderr).toMatch(/^exported \d+ rows \(.+\) to .+export\.csv\n$/);
      const rows: string[][] = parseCsv(await readFile(out, 'utf8'));
      const [header, ...records] = rows;
      expect(records.every((rec) => rec.length === header.length)).toBe(true);
      expect(Number(/exported (\d+) rows/.exec(r.stderr)![1])).toBe(records.length);
      const cells = new Set(records.flat());
      for (const id of Object.keys(actions)) expect(cells.has(id)).toBe(true);
      expect(cells.has(`'${FORMULA}`)).toBe(true);
      expect([...cells].some((c) => c.startsWith('='))).toBe(false);
    });

    it('should print statistics when asked for a window', async () => {
      const r = await runCli(['stats', '--from', '1h'], env);
      expect(r.code).toBe(EXIT.ok);
      expect(r.stdout).toMatch(new RegExp(`actions\\s+${Object.keys(actions).length}\\n`));
      const json = JSON.parse((await runCli(['stats', '--from', '1h', '--json'], env)).stdout);
      expect(json.totals).toMatchObject({ actions: Object.keys(actions).length, byStatus: { executed: 1, failed: 1, attempted: 1, cancelled: 1 } });
    });
  });

  describe('tail', () => {
    it('should print a newly posted event as one line', async () => {
      const tailSession = `tail-${system.suffix}`;
      const tail = startCli(['tail', '--session', tailSession, '--json', '--limit', '1'], env);
      const sent: string[] = [];
      let exited = false;
      void tail.done.then(() => (exited = true));
      // Post until the tail, which may still be connecting, prints one.
      await waitFor(
        async () => {
          if (exited) return true;
          const event = anActionEventInput({ type: 'action.attempted', sessionId: tailSession, actionId: `tail-${randomUUID()}` });
          sent.push(event.eventId!);
          expect((await system.postEvents(tenant.apiKeys.ingest, event)).status).toBe(202);
          return false;
        },
        { timeoutMs: 45_000, intervalMs: 1_500, what: 'tail to print an event' },
      ).catch((err) => {
        tail.child.kill();
        throw err;
      });
      const r = await tail.done;
      expect(r.code).toBe(EXIT.ok);
      const lines = r.stdout.trim().split('\n');
      expect(lines).toHaveLength(1);
      const printed = JSON.parse(lines[0]);
      expect(sent).toContain(printed.eventId ?? printed.event?.eventId);
    });
  });
});
