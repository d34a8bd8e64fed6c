import { PassThrough } from 'node:stream';
import { CommandContext } from './cli.context';
import { runCli } from './cli.program';
import { ExitCode } from './errors/cli.error';
import type { FetchLike } from './http/ledger.client';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  requests: URL[];
}

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** Runs the CLI in-process with a fake audit API. */
async function cli(argv: string[], api: (url: URL) => Response | Promise<Response> = () => json({})): Promise<Run> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c) => (out += c));
  stderr.on('data', (c) => (err += c));
  const requests: URL[] = [];
  const fetchImpl: FetchLike = async (input, init) => {
    const url = new URL(input);
    requests.push(url);
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer alk_test');
    return api(url);
  };
  const ctx = new CommandContext({ stdout, stderr, env: { apiKey: 'alk_test', url: 'http://ledger.test:3200' }, fetch: fetchImpl });
  const code = await runCli(argv, ctx);
  return { code, stdout: out, stderr: err, requests };
}

const refused = () => Promise.reject(Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) }));

describe('agent-ledger (in process)', () => {
  describe('usage', () => {
    it('should exit 0 and print the commands when asked for help', async () => {
      const r = await cli(['--help']);
      expect(r.code).toBe(ExitCode.Ok);
      expect(r.stdout).toMatch(/actions[\s\S]*show[\s\S]*stats[\s\S]*export[\s\S]*export-chain[\s\S]*verify[\s\S]*tail/);
      expect(r.stdout).toContain('Exit codes');
    });

    it.each([
      [['actions', '--bogus']],
      [['actions', '--status', 'done']],
      [['actions', '--limit', '0']],
      [['actions', '--from', 'yesterday']],
      [['actions', '--json', '--csv']],
      [['actions', '--from', '2026-03-02', '--to', '2026-03-01']],
      [['export', '--format', 'csv']],
      [['export', '--format', 'xml', '--out', 'x.xml']],
      [['export', '--out', 'x.txt']],
      [['show']],
      [['verify', '--offline', '--events', 'e.jsonl']],
      [['verify', '--events', 'e.jsonl']],
      [['frobnicate']],
    ])('should exit with the usage code without calling the API when given %j', async (argv) => {
      const r = await cli(argv);
      expect(r.code).toBe(ExitCode.Usage);
      expect(r.stderr).toMatch(/^agent-ledger: /);
      expect(r.requests).toHaveLength(0);
    });

    it('should exit with the usage code when no API key is configured', async () => {
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (c) => (err += c));
      const code = await runCli(['actions'], new CommandContext({ stdout: new PassThrough(), stderr, env: {} }));
      expect(code).toBe(ExitCode.Usage);
      expect(err).toBe('agent-ledger: no API key: pass --key or set LEDGER_API_KEY (a key of your tenant with scope read)\n');
    });
  });

  describe('errors', () => {
    it('should print the auth message and exit 4 when the key is rejected', async () => {
      const r = await cli(['actions'], () => json({ error: { status: 401, code: 'invalid_api_key', message: 'the API key is not valid' } }, 401));
      expect(r.code).toBe(ExitCode.AuthFailed);
      expect(r.stderr).toBe('agent-ledger: the API key was rejected (401 invalid_api_key: the API key is not valid): check --key or LEDGER_API_KEY\n');
    });

    it('should print the connection message and exit 5 when the server is unreachable', async () => {
      const r = await cli(['stats'], refused);
      expect(r.code).toBe(ExitCode.Unreachable);
      expect(r.stderr).toBe('agent-ledger: cannot reach the audit API at http://ledger.test:3200 (ECONNREFUSED): is it running? Check --url or LEDGER_URL\n');
    });

    it('should print code, message and field and exit 3 when the API rejects a parameter', async () => {
      const r = await cli(['actions', '--tool', "x' OR 1=1"], () => json({ error: { status: 400, code: 'validation_failed', message: 'tool: invalid characters', field: 'tool' } }, 400));
      expect(r.code).toBe(ExitCode.ApiError);
      expect(r.stderr).toBe('agent-ledger: validation_failed (400): tool: invalid characters (field: tool)\n');
    });

    it('should exit 3 naming the action when it does not exist', async () => {
      const r = await cli(['show', 'nope'], () => json({ error: { status: 404, code: 'action_not_found', message: 'no action nope', field: 'actionId' } }, 404));
      expect(r).toMatchObject({ code: ExitCode.ApiError, stderr: 'agent-ledger: action_not_found (404): no action nope (field: actionId)\n' });
    });
  });

  describe('actions', () => {
    const page1 = { items: [{ actionId: 'a1', status: 'executed', toolName: 'refund_order' }, { actionId: 'a2', status: 'failed' }], nextCursor: 'c1' };
    const page2 = { actions: [{ actionId: 'a3', status: 'attempted' }], nextCursor: null };
    const api = (url: URL) => json(url.searchParams.get('cursor') === 'c1' ? page2 : page1);

    it('should follow the cursors and print one JSON line per action when --json is given', async () => {
      const r = await cli(['actions', '--json', '--all', '--page-size', '2'], api);
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).actionId)).toEqual(['a1', 'a2', 'a3']);
      expect(r.requests.map((u) => [u.searchParams.get('limit'), u.searchParams.get('cursor')])).toEqual([['2', null], ['2', 'c1']]);
    });

    it('should stop at --limit and ask only for what it needs when the limit is small', async () => {
      const r = await cli(['actions', '--json', '--limit', '2'], api);
      expect(r.stdout.trim().split('\n')).toHaveLength(2);
      expect(r.requests).toHaveLength(1);
      expect(r.requests[0].searchParams.get('limit')).toBe('2');
    });

    it('should send the filters as the API query parameters', async () => {
      const r = await cli(['actions', '--status', 'failed', '--risk', 'critical', '--session', 'conv-7', '--approval', 'rejected', '--anomaly', '--from', '2026-03-01'], api);
      expect(Object.fromEntries(r.requests[0].searchParams)).toEqual({
        status: 'failed', riskLevel: 'critical', sessionId: 'conv-7', approvalDecision: 'rejected', anomaly: 'true', from: '2026-03-01T00:00:00.000Z', limit: '50',
      });
    });

    it('should print a table with a header and one line per action by default', async () => {
      const r = await cli(['actions', '--all'], api);
      const lines = r.stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(/^TIME\s+ACTION\s+STATUS/);
      expect(lines.slice(1).map((l) => l.split(/\s+/)[1])).toEqual(['a1', 'a2', 'a3']);
    });

    it('should print formula-safe CSV when --csv is given', async () => {
      const r = await cli(['actions', '--csv'], () => json({ items: [{ actionId: '=cmd()', status: 'failed' }] }));
      expect(r.stdout.split('\r\n')[1]).toMatch(/^,'=cmd\(\),failed,/);
    });
  });

  describe('verify', () => {
    it('should print ok and exit 0 when the API reports the record intact', async () => {
      const r = await cli(['verify'], () => json({ ok: true, eventsChecked: 12, checkpointsChecked: 3, chains: [{}, {}], lastCheckpoint: { checkpointId: 'cp-1', createdAt: '2026-03-01T00:00:00Z' }, failures: [] }));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('ok: 12 events in 2 chains against 3 signed checkpoints; last checkpoint cp-1 at 2026-03-01 00:00:00Z\n');
    });

    it('should exit 1 naming the first failing row when the API reports a failure', async () => {
      const failure = { kind: 'hash_mismatch', partition: 3, chainSeq: '17', eventId: 'ev-9', reason: 'hash does not equal SHA-256(prev_hash ‖ event_json): the row was altered' };
      const r = await cli(['verify', '--from', '7d'], () => json({ ok: false, eventsChecked: 40, checkpointsChecked: 2, chains: [{}], lastCheckpoint: null, firstFailure: failure, failures: [failure] }));
      expect(r.code).toBe(ExitCode.VerificationFailed);
      expect(r.stdout).toContain('FAILED: 40 events in 1 chain');
      expect(r.stderr).toBe(`agent-ledger: first failure: hash_mismatch at (partition 3, chain_seq 17, event ev-9): ${failure.reason}\n`);
      expect(r.requests[0].searchParams.get('from')).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    });

    it('should exit 8 printing UNVERIFIED and the reason when nothing failed but rows are not signed yet', async () => {
      const r = await cli(['verify'], () =>
        json({ ok: false, status: 'unverified', eventsChecked: 5, checkpointsChecked: 0, chains: [{}], lastCheckpoint: null, newestCheckpointAge: null, uncovered: [{ partition: 0, fromSeq: '1', toSeq: '5', events: 5 }], unverifiedReasons: ['no signed checkpoint covers any row'], failures: [] }),
      );
      expect(r.code).toBe(ExitCode.Unverified);
      expect(r.stdout).toContain('UNVERIFIED: 5 events in 1 chain against 0 signed checkpoints; no signed checkpoint');
      expect(r.stderr).toBe('agent-ledger: no signed checkpoint covers any row\n');
    });
  });

  describe('export', () => {
    it('should exit with the local file code when the output cannot be written', async () => {
      const r = await cli(['export', '--out', '/nonexistent-dir/x.csv', '--quiet'], () => new Response('id\r\n1\r\n', { status: 200 }));
      expect(r.code).toBe(ExitCode.LocalFile);
      expect(r.stderr).toMatch(/cannot write \/nonexistent-dir\/x\.csv: ENOENT/);
    });

    it('should stream the body to stdout and count its rows when --out is -', async () => {
      const r = await cli(['export', '--out', '-', '--format', 'jsonl', '--status', 'failed'], () => new Response('{"a":1}\n{"a":2}\n'));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('{"a":1}\n{"a":2}\n');
      expect(r.stderr).toBe('exported 2 rows (16 B) to stdout\n');
      expect(Object.fromEntries(r.requests[0].searchParams)).toEqual({ format: 'jsonl', status: 'failed' });
    });
  });
});
