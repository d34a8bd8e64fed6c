import { json, runCliAgainst, type FakeRequest } from '../cli.fixtures';
import { ExitCode } from '../errors/cli.error';

const cli = (argv: string[], api: (r: FakeRequest) => Response = () => json({ items: [], nextCursor: null })) => runCliAgainst(argv, api);

const letter = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  consumerGroup: 'audit-projector',
  sourceTopic: 'agent-ledger.action-events.v1',
  eventId: `event-${id}`,
  eventType: 'action.attempted',
  reasonCode: 'schema',
  reason: 'schema: schema action-event.v1: /tool/riskLevel enum: must be one of …',
  deadLetteredAt: '2026-03-01T09:15:02.123Z',
  replayedAt: null,
  replayCount: 0,
  ...extra,
});

describe('agent-ledger dead-letters', () => {
  it('should pass the filters to the API and print a table of reason, time and event id when listing', async () => {
    const r = await cli(['dead-letters', '--reason', 'schema', '--replayed', 'false'], () => json({ items: [letter('7'), letter('6', { replayedAt: '2026-03-02T00:00:00Z' })], nextCursor: null }));

    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests[0].url.pathname).toBe('/v1/dead-letters');
    expect(Object.fromEntries(r.requests[0].url.searchParams)).toMatchObject({ reasonCode: 'schema', replayed: 'false' });
    expect(r.stdout).toMatch(/^TIME\s+ID\s+CODE\s+EVENT\s+TYPE\s+REPLAYED\s+REASON/);
    expect(r.stdout).toContain('2026-03-01 09:15:02Z  7   schema  event-7');
    expect(r.stdout).toContain('2026-03-02 00:00:00Z');
  });

  it('should print one JSON object per letter when asked for JSON', async () => {
    const r = await cli(['dead-letters', '--json'], () => json({ items: [letter('7'), letter('6')], nextCursor: null }));

    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).id)).toEqual(['7', '6']);
  });

  it('should say so on stderr when no letter matches', async () => {
    const r = await cli(['dead-letters']);

    expect(r).toMatchObject({ code: ExitCode.Ok, stdout: '', stderr: 'no dead letters match\n' });
  });

  it('should post the ids and report what was replayed and skipped when replaying ids', async () => {
    const r = await cli(['dead-letters', 'replay', '41', '42'], () => json({ replayed: 1, skipped: [{ id: '42', reason: 'value_omitted' }], remaining: 0 }));

    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests).toEqual([expect.objectContaining({ method: 'POST', body: { ids: ['41', '42'] } })]);
    expect(r.requests[0].url.pathname).toBe('/v1/dead-letters/replay');
    expect(r.stdout).toMatch(/^replayed 1 dead letter\nskipped 42: value_omitted/);
  });

  it('should repeat the request while letters remain when replaying all', async () => {
    let left = 2;
    const r = await cli(['dead-letters', 'replay', '--all'], () => {
      left -= 1;
      return json({ replayed: 500, skipped: [], remaining: left * 500 });
    });

    expect(r.requests.map((q) => q.body)).toEqual([{ all: true }, { all: true }]);
    expect(r.stdout).toBe('replayed 1000 dead letters\n');
  });

  it.each([[['dead-letters', 'replay']], [['dead-letters', 'replay', '1', '--all']], [['dead-letters', 'replay', 'abc']], [['dead-letters', '--replayed', 'maybe']], [['dead-letters', '--from', '2026-03-02', '--to', '2026-03-01']]])(
    'should exit with the usage code without calling the API when given %j',
    async (argv) => {
      const r = await cli(argv);

      expect(r.code).toBe(ExitCode.Usage);
      expect(r.stderr).toMatch(/^agent-ledger: /);
      expect(r.requests).toHaveLength(0);
    },
  );

  it('should exit with the auth code when the key lacks the admin scope for a replay', async () => {
    const r = await cli(['dead-letters', 'replay', '--all'], () => json({ error: { status: 403, code: 'insufficient_scope', message: 'this API key lacks the "admin" scope (it has: read)' } }, 403));

    expect(r.code).toBe(ExitCode.AuthFailed);
    expect(r.stderr).toContain('admin');
  });
});
