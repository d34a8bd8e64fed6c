import { ApiProblem, problemFromAnswer } from './problem';
import { archiveWhere, describeRun, isRunOver, policyChange, problemsByField, retainForProblem, shortSha, type RetentionPolicy } from './retention';

describe(retainForProblem.name, () => {
  it.each(['P90D', 'P1Y', 'P2W', 'PT12H', 'PT5S', 'P1Y2M3DT4H5M6S', 'p30d', ' P100Y '])('should accept %j', (v) => {
    expect(retainForProblem(v)).toBeUndefined();
  });

  it('should explain the shape when the value is no ISO 8601 duration', () => {
    expect(retainForProblem('30d')).toMatch(/ISO 8601 duration of whole numbers such as P90D/);
    expect(retainForProblem('PT0.5S')).toMatch(/whole numbers/);
    expect(retainForProblem('P1H')).toMatch(/ISO 8601/);
  });

  it('should name what is missing when the duration names no amount', () => {
    expect(retainForProblem('')).toMatch(/Give a period/);
    expect(retainForProblem('P')).toMatch(/at least one amount/);
    expect(retainForProblem('P1DT')).toMatch(/after "T"/);
  });

  it('should refuse periods outside PT1S to P100Y when the value is well formed', () => {
    expect(retainForProblem('PT0S')).toMatch(/at least PT1S/);
    expect(retainForProblem('P101Y')).toMatch(/at most P100Y/);
    expect(retainForProblem('P36525D')).toBeUndefined();
  });
});

describe(policyChange.name, () => {
  const policy: RetentionPolicy = { retainFor: 'P90D', archive: true, legalHold: false, updatedAt: null, default: true };

  it('should send only the fields that changed, the period upper-cased', () => {
    expect(policyChange(policy, { retainFor: 'pt5s', archive: true, legalHold: true })).toEqual({ retainFor: 'PT5S', legalHold: true });
    expect(policyChange(policy, { retainFor: 'P90D', archive: false, legalHold: false })).toEqual({ archive: false });
  });

  it('should send nothing when nothing changed', () => {
    expect(policyChange(policy, { retainFor: ' P90D ', archive: true, legalHold: false })).toEqual({});
  });
});

describe(problemsByField.name, () => {
  it('should put each invalid field of a 400 under its form field, JSON pointers included', () => {
    const p = problemFromAnswer(
      400,
      'Bad Request',
      JSON.stringify({
        error: {
          status: 400,
          code: 'validation_failed',
          message: 'the request is invalid: 2 invalid fields',
          field: '/retainFor',
          errors: [
            { field: '/retainFor', code: 'custom', message: 'retainFor must be at most P100Y' },
            { field: 'legalHold', code: 'invalid_type', message: 'legalHold must be true or false' },
          ],
        },
      }),
    );

    expect(problemsByField(p)).toEqual({ retainFor: 'retainFor must be at most P100Y', legalHold: 'legalHold must be true or false' });
  });

  it('should keep a problem that names no field of the form for the form itself', () => {
    const p = new ApiProblem({ status: 400, code: 'validation_failed', message: 'give at least one of retainFor, archive, legalHold' });

    expect(problemsByField(p)).toEqual({ form: 'give at least one of retainFor, archive, legalHold' });
  });
});

describe(describeRun.name, () => {
  const archive = { location: 'file:///var/lib/agent-ledger/archives', object: 't-1/2026-01.jsonl.gz', manifest: 'm', sha256: 'a'.repeat(64), bytes: 10 };

  it('should name the purged events and the archive when a run completed with a purge', () => {
    expect(describeRun({ runId: 'r', state: 'completed', result: { tenantId: 't', outcome: 'purged', events: 1200, archive } })).toBe(
      'Purged 1,200 events, archived to file:///var/lib/agent-ledger/archives/t-1/2026-01.jsonl.gz.',
    );
    expect(describeRun({ runId: 'r', state: 'completed', result: { tenantId: 't', outcome: 'purged', events: 1 } })).toBe('Purged 1 event (archiving is off).');
  });

  it('should say why nothing was purged when a legal hold, an empty period or another run stopped it', () => {
    expect(describeRun({ runId: 'r', state: 'completed', result: { tenantId: 't', outcome: 'legal_hold' } })).toMatch(/legal hold/);
    expect(describeRun({ runId: 'r', state: 'completed', result: { tenantId: 't', outcome: 'nothing_to_purge' } })).toMatch(/^Nothing to purge/);
    expect(describeRun({ runId: 'r', state: 'completed', result: { tenantId: 't', outcome: 'busy' } })).toMatch(/another retention run/);
  });

  it('should give the error of a failed run and tell an unfinished run from a finished one', () => {
    expect(describeRun({ runId: 'r', state: 'failed', error: 'archive storage unreachable' })).toBe('The retention run failed: archive storage unreachable.');
    expect(describeRun({ runId: 'r', state: 'running' })).toBe('The retention run is running…');
    expect([isRunOver({ runId: 'r', state: 'queued' }), isRunOver({ runId: 'r', state: 'failed' }), isRunOver({ runId: 'r', state: 'completed' })]).toEqual([false, true, true]);
  });
});

describe(shortSha.name, () => {
  it('should keep the first 12 characters of a hash and show a dash without one', () => {
    expect(shortSha('0123456789abcdef'.repeat(4))).toBe('0123456789ab…');
    expect(shortSha(null)).toBe('—');
  });
});

describe(archiveWhere.name, () => {
  it('should join location and object unless the location already names the object', () => {
    expect(archiveWhere({ location: 's3://b/p/', object: '/t/x.gz' })).toBe('s3://b/p/t/x.gz');
    expect(archiveWhere({ location: 's3://b/p/t/x.gz', object: 't/x.gz' })).toBe('s3://b/p/t/x.gz');
    expect(archiveWhere('s3://b/x.gz')).toBe('s3://b/x.gz');
    expect(archiveWhere(null)).toBeUndefined();
  });
});
