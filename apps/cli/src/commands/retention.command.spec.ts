import { json, runCliAgainst, type FakeRequest } from '../cli.fixtures';
import { ExitCode } from '../errors/cli.error';
import type { RetentionPurgeView as RetentionPurge, RetentionRunView as RetentionRun, RetentionView } from '@agent-ledger/contracts';

const cli = (argv: string[], api: (r: FakeRequest) => Response = () => json(view())) => runCliAgainst(argv, api);

const SHA = 'ab12cd34ef56'.padEnd(64, '0');

const purge = (extra: Partial<RetentionPurge> = {}): RetentionPurge => ({
  purgeId: 'pur-2',
  ordinal: 2,
  state: 'purged',
  events: 1234,
  horizon: '2026-03-01T00:00:00.000Z',
  recordedFrom: '2026-01-01T00:00:00.000Z',
  recordedTo: '2026-02-28T23:59:59.000Z',
  createdAt: '2026-03-01T00:00:05.000Z',
  purgedAt: '2026-03-01T00:00:09.000Z',
  archive: { location: 's3://ledger-archives/prod', object: 't-1/2026-01.jsonl.gz', manifest: 't-1/2026-01.manifest.json', sha256: SHA, bytes: 2048 },
  ...extra,
});

const view = (extra: Partial<RetentionView> = {}): RetentionView => ({
  policy: { retainFor: 'P90D', archive: true, legalHold: false, updatedAt: null, default: true },
  horizon: null,
  purges: [],
  ...extra,
});

describe('agent-ledger retention', () => {
  it('should print the policy, the horizon and the purges with a shortened sha256 when showing', async () => {
    const r = await cli(['retention', 'show'], () =>
      json(view({ policy: { retainFor: 'P30D', archive: true, legalHold: true, updatedAt: '2026-03-01T00:00:00Z', default: false }, horizon: '2026-03-01T00:00:00.000Z', purges: [purge()] })),
    );

    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests).toEqual([expect.objectContaining({ method: 'GET' })]);
    expect(r.requests[0].url.pathname).toBe('/v1/retention');
    expect(r.stdout).toMatch(/^retain for\s+P30D\narchive\s+on\nlegal hold\s+on \(nothing is purged while it is set\)\nupdated\s+2026-03-01 00:00:00Z\nhorizon\s+2026-03-01 00:00:00Z/);
    expect(r.stdout).toMatch(/CREATED\s+PURGE\s+#\s+STATE\s+EVENTS\s+HORIZON\s+PURGED\s+ARCHIVE OBJECT\s+SHA256/);
    expect(r.stdout).toContain('pur-2  2  purged  1,234');
    expect(r.stdout).toContain('t-1/2026-01.jsonl.gz  ab12cd34ef56…');
    expect(r.stdout).not.toContain(SHA);
    expect(r.stdout).toContain('archived in s3://ledger-archives/prod');
  });

  it('should say the default policy applies and nothing was purged when the tenant never changed it', async () => {
    const r = await cli(['retention', 'show']);

    expect(r.stdout).toMatch(/retain for\s+P90D \(the default\)/);
    expect(r.stdout).toMatch(/horizon\s+none \(nothing purged yet\)\n\nno purge yet\n$/);
  });

  it('should print the API answer as it came when asked for JSON', async () => {
    const body = view({ purges: [purge()] });
    const r = await cli(['retention', 'show', '--json'], () => json(body));

    expect(JSON.parse(r.stdout)).toEqual(body);
  });

  it('should put only the given settings, durations upper-cased and switches as booleans, when setting', async () => {
    const r = await cli(['retention', 'set', '--retain-for', 'pt5s', '--archive', 'off', '--legal-hold', 'on'], () =>
      json(view({ policy: { retainFor: 'PT5S', archive: false, legalHold: true, updatedAt: '2026-03-01T00:00:00Z', default: false } })),
    );

    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests).toEqual([expect.objectContaining({ method: 'PUT', body: { retainFor: 'PT5S', archive: false, legalHold: true } })]);
    expect(r.requests[0].url.pathname).toBe('/v1/retention');
    expect(r.stdout).toMatch(/^retain for\s+PT5S\narchive\s+off\nlegal hold\s+on/);
  });

  it('should send a legal hold alone when it is the only option given', async () => {
    const r = await cli(['retention', 'set', '--legal-hold', 'off']);

    expect(r.requests[0].body).toEqual({ legalHold: false });
  });

  it.each([
    [['retention', 'set'], 'give at least one of --retain-for, --archive, --legal-hold'],
    [['retention', 'set', '--retain-for', '30d'], 'ISO 8601 duration of whole numbers such as P90D'],
    [['retention', 'set', '--retain-for', 'PT'], 'must name at least one amount'],
    [['retention', 'set', '--retain-for', 'P0D'], 'must be at least PT1S'],
    [['retention', 'set', '--retain-for', 'PT0.5S'], 'whole numbers'],
    [['retention', 'set', '--archive', 'yes'], 'Allowed choices are on, off'],
    [['retention', 'run', '--wait-timeout', '60'], 'such as 30s, 5m or 1h'],
  ])('should exit with the usage code without calling the API when given %j', async (argv, message) => {
    const r = await cli(argv);

    expect(r.code).toBe(ExitCode.Usage);
    expect(r.stderr).toMatch(/^agent-ledger: /);
    expect(r.stderr).toContain(message);
    expect(r.requests).toHaveLength(0);
  });

  it('should print the API error naming the field when the API refuses the policy', async () => {
    const r = await cli(['retention', 'set', '--retain-for', 'P100Y'], () =>
      json({ error: { status: 400, code: 'validation_failed', message: 'retainFor: at most P10Y', field: 'retainFor' } }, 400),
    );

    expect(r.code).toBe(ExitCode.ApiError);
    expect(r.stderr).toBe('agent-ledger: validation_failed (400): retainFor: at most P10Y (field: retainFor)\n');
  });

  it('should exit with the auth code when the key lacks the admin scope', async () => {
    const r = await cli(['retention', 'show'], () => json({ error: { status: 403, code: 'insufficient_scope', message: 'this API key lacks the "admin" scope (it has: read)' } }, 403));

    expect(r.code).toBe(ExitCode.AuthFailed);
  });

  it('should start a run and print its id without waiting when --wait is not given', async () => {
    const r = await cli(['retention', 'run'], () => json({ runId: 'run-1', state: 'queued' }, 202));

    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests).toEqual([expect.objectContaining({ method: 'POST' })]);
    expect(r.requests[0].url.pathname).toBe('/v1/retention/runs');
    expect(r.stdout).toBe('retention run run-1 queued\n');
  });

  describe('with --wait', () => {
    /** The API of a run that answers `states` to successive status requests (the last one repeats). */
    const runApi = (...states: Omit<RetentionRun, 'runId'>[]) => {
      let polls = 0;
      return (r: FakeRequest) => (r.method === 'POST' ? json({ runId: 'run-1', state: 'queued' }, 202) : json({ runId: 'run-1', ...states[Math.min(polls++, states.length - 1)] }));
    };

    it('should poll the run until it completed and print how many events it purged and where it archived them', async () => {
      const r = await cli(
        ['retention', 'run', '--wait'],
        runApi({ state: 'running' }, { state: 'completed', result: { tenantId: 't-1', outcome: 'purged', purgeId: 'pur-3', events: 12, archive: purge().archive } }),
      );

      expect(r.code).toBe(ExitCode.Ok);
      expect(r.requests.map((q) => `${q.method} ${q.url.pathname}`)).toEqual(['POST /v1/retention/runs', 'GET /v1/retention/runs/run-1', 'GET /v1/retention/runs/run-1']);
      expect(r.stdout).toBe('retention run run-1: purged 12 events (purge pur-3); archive s3://ledger-archives/prod/t-1/2026-01.jsonl.gz (sha256 ab12cd34ef56…, 2.0 KiB)\n');
    });

    it('should say a legal hold blocked the purge when the run ended that way', async () => {
      const r = await cli(['retention', 'run', '--wait'], runApi({ state: 'completed', result: { tenantId: 't-1', outcome: 'legal_hold' } }));

      expect(r.code).toBe(ExitCode.Ok);
      expect(r.stdout).toContain('nothing purged, a legal hold is set');
    });

    it('should print the run as it ended when asked for JSON', async () => {
      const r = await cli(['retention', 'run', '--wait', '--json'], runApi({ state: 'completed', result: { tenantId: 't-1', outcome: 'nothing_to_purge' } }));

      expect(JSON.parse(r.stdout)).toEqual({ runId: 'run-1', state: 'completed', result: { tenantId: 't-1', outcome: 'nothing_to_purge' } });
    });

    it('should exit with the API error code and the reason when the run failed', async () => {
      const r = await cli(['retention', 'run', '--wait'], runApi({ state: 'failed', error: 'archive storage unreachable' }));

      expect(r.code).toBe(ExitCode.ApiError);
      expect(r.stderr).toBe('agent-ledger: retention run run-1 failed: archive storage unreachable\n');
    });

    it('should stop waiting and exit non-zero when the run has not ended within --wait-timeout', async () => {
      const started = Date.now();
      const r = await cli(['retention', 'run', '--wait-timeout', '700ms'], runApi({ state: 'running' }));

      expect(r.code).toBe(ExitCode.Unreachable);
      expect(r.stderr).toContain('retention run run-1 did not end within 700ms (still running)');
      expect(r.requests.filter((q) => q.method === 'GET')).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(5_000);
    });
  });

  describe('before the retention horizon', () => {
    const beforeHorizon = () =>
      json(
        {
          error: {
            status: 409,
            code: 'before_retention_horizon',
            message: 'events before 2026-03-01T00:00:00.000Z were purged by retention',
            field: 'from',
            horizon: '2026-03-01T00:00:00.000Z',
            archives: [
              { location: 's3://ledger-archives/prod', object: 't-1/2026-01.jsonl.gz' },
              { location: 's3://ledger-archives/prod', object: 't-1/2026-02.jsonl.gz' },
            ],
          },
        },
        409,
      );

    it.each([[['actions', '--from', '2026-01-01']], [['export', '--out', '-', '--format', 'jsonl', '--from', '2026-01-01']]])(
      'should print one line with the horizon and the archives when %j starts before it',
      async (argv) => {
        const r = await cli(argv, beforeHorizon);

        expect(r.code).toBe(ExitCode.ApiError);
        expect(r.stderr).toBe(
          'agent-ledger: before_retention_horizon (409): events before 2026-03-01T00:00:00.000Z were purged by retention — the record is kept from 2026-03-01T00:00:00.000Z on: use --from 2026-03-01T00:00:00.000Z or later; older events are in the archives s3://ledger-archives/prod/t-1/2026-01.jsonl.gz, s3://ledger-archives/prod/t-1/2026-02.jsonl.gz\n',
        );
      },
    );

    it('should say the older events are gone when the API names no archive', async () => {
      const r = await cli(['actions', '--from', '2026-01-01'], () =>
        json({ error: { status: 409, code: 'before_retention_horizon', message: 'before the horizon', horizon: '2026-03-01T00:00:00Z', archives: [] } }, 409),
      );

      expect(r.stderr).toMatch(/older events were purged without an archive\n$/);
    });
  });
});
