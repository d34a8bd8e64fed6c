import { json, runCliAgainst, type FakeRequest } from '../cli.fixtures';
import { ExitCode } from '../errors/cli.error';
import { formatDuration } from '../output/format';

const cli = (argv: string[], api: (r: FakeRequest) => Response) => runCliAgainst(argv, api);

const ESC = '3f2a9c1e-1234-4abc-9def-0123456789ab';
const summary = { sessionId: 'conv-7', actions: 2, events: 5, byStatus: { executed: 1, failed: 1 }, byRiskLevel: { safe: 2 }, byApprovalDecision: {}, totalDurationMs: 1500, anomalies: 0, firstEventAt: '2026-01-01T00:00:00.000Z', lastEventAt: '2026-01-01T00:01:00.000Z', escalations: { open: 1, acknowledged: 0, resolved: 2, active: [{ escalationId: 'e-9', status: 'open', reason: 'manual' }] } };
const action = (id: string, status: string) => ({ actionId: id, status, toolName: 'crm.update', riskLevel: 'safe', sessionId: 'conv-7' });

describe('agent-ledger session', () => {
  it('should print the summary and the actions of the session when it exists', async () => {
    const r = await cli(['session', 'conv-7'], ({ url }) =>
      url.pathname === '/v1/sessions/conv-7/summary' ? json(summary) : json({ items: [action('a-1', 'executed'), action('a-2', 'failed')], nextCursor: null }),
    );
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout).toMatch(/by status\s+executed 1, failed 1/);
    expect(r.stdout).toMatch(new RegExp(`total duration\\s+${formatDuration(summary.totalDurationMs).replace('.', '\\.')}\n`));
    expect(r.stdout).toContain('actions (2)');
    expect(r.stdout).toMatch(/^escalations\s+open 1, resolved 2$/m);
    expect(r.stdout).toMatch(/active escalations \(1\)\n.*\n.*e-9\s+open\s+manual/);
    expect(r.stdout).toMatch(/a-2\s+failed/);
    expect(r.requests[1].url.searchParams.get('sessionId')).toBe('conv-7');
  });

  it('should exit 3 naming session_not_found when the session is unknown', async () => {
    const r = await cli(['session', 'nope'], () => json({ error: { status: 404, code: 'session_not_found', message: 'no session nope', field: 'sessionId' } }, 404));
    expect(r.code).toBe(ExitCode.ApiError);
    expect(r.stderr).toContain('session_not_found (404): no session nope');
    expect(r.requests).toHaveLength(1);
  });
});

describe('agent-ledger escalations', () => {
  it('should pass --status, --reason and --limit to the API and print one JSON line per escalation with --json', async () => {
    const items = [{ escalationId: ESC, status: 'open', reason: 'action_failed' }];
    const r = await cli(['escalations', 'list', '--status', 'open', '--reason', 'action_failed', '--limit', '5', '--json'], () => json({ items, nextCursor: null }));
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual(items);
    const q = r.requests[0].url.searchParams;
    expect([q.get('status'), q.get('reason'), q.get('limit')]).toEqual(['open', 'action_failed', '5']);
  });

  it('should pass --scope to the API', async () => {
    const r = await cli(['escalations', '--scope', 'tenant', '--json'], () => json({ items: [], nextCursor: null }));
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests[0].url.searchParams.get('scope')).toBe('tenant');
  });

  it('should refuse an unknown status or scope or a malformed id with exit code 2 before any request', async () => {
    for (const argv of [['escalations', '--status', 'closed'], ['escalations', '--scope', 'global'], ['escalations', 'ack', 'not-a-uuid']]) {
      const r = await cli(argv, () => json({}));
      expect({ argv, code: r.code, requests: r.requests.length }).toEqual({ argv, code: ExitCode.Usage, requests: 0 });
    }
  });

  it('should post the note as note to acknowledge and as notes to resolve', async () => {
    const answer = (status: string) => json({ escalationId: ESC, eventId: 'e-1', status }, 202);
    const ack = await cli(['escalations', 'ack', ESC, '--note', 'on it'], () => answer('acknowledged'));
    expect(ack.requests[0]).toMatchObject({ method: 'POST', body: { note: 'on it' } });
    expect(ack.requests[0].url.pathname).toBe(`/v1/escalations/${ESC}/acknowledge`);
    expect(ack.stdout).toContain(`escalation ${ESC} acknowledged`);
    const resolved = await cli(['escalations', 'resolve', ESC, '--note', 'done'], () => answer('resolved'));
    expect(resolved.requests[0]).toMatchObject({ method: 'POST', body: { notes: 'done' } });
    expect(resolved.requests[0].url.pathname).toBe(`/v1/escalations/${ESC}/resolve`);
  });
});
