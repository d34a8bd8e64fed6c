import { adviceFor, ApiProblem, problemFromAnswer, toProblem } from './problem';

describe(problemFromAnswer.name, () => {
  it('should take status, code, message, field and errors from the API error body when there is one', () => {
    const p = problemFromAnswer(
      400,
      'Bad Request',
      JSON.stringify({ error: { status: 400, code: 'validation_failed', message: 'status must be one of: attempted', field: 'status', errors: [{ field: 'status', code: 'invalid_enum_value', message: 'x' }] } }),
    );
    expect(p).toBeInstanceOf(ApiProblem);
    expect(p).toMatchObject({ status: 400, code: 'validation_failed', message: 'status must be one of: attempted', field: 'status' });
    expect(p.errors).toEqual([{ field: 'status', code: 'invalid_enum_value', message: 'x' }]);
  });

  it('should name the HTTP status when the answer is not the API error shape', () => {
    expect(problemFromAnswer(502, 'Bad Gateway', '<html>proxy error</html>')).toMatchObject({ status: 502, code: 'http_502', message: 'the server answered 502 Bad Gateway' });
    expect(problemFromAnswer(500, '', 'database is down')).toMatchObject({ code: 'http_500', message: 'database is down' });
  });
});

describe(adviceFor.name, () => {
  it('should tell the person to sign in again when the key was refused', () => {
    expect(adviceFor(new ApiProblem({ status: 401, code: 'invalid_api_key', message: 'the API key is unknown or revoked' }))).toMatch(/sign in with a valid key/i);
  });

  it('should give no advice when the API message says it all', () => {
    expect(adviceFor(new ApiProblem({ status: 400, code: 'validation_failed', message: 'x' }))).toBeUndefined();
  });
});

describe(toProblem.name, () => {
  it('should wrap anything thrown into a problem with a message', () => {
    expect(toProblem(new TypeError('boom'))).toMatchObject({ status: 0, code: 'client_error', message: 'boom' });
    expect(toProblem('text')).toMatchObject({ message: 'text' });
  });
});

describe('a 409 before the retention horizon', () => {
  it('should carry the horizon and the archives as location/object and advise where to start', () => {
    const p = problemFromAnswer(
      409,
      'Conflict',
      JSON.stringify({
        error: {
          status: 409,
          code: 'before_retention_horizon',
          message: 'from reaches before the retention horizon 2026-03-01T00:00:00.000Z',
          field: 'from',
          horizon: '2026-03-01T00:00:00.000Z',
          archives: [{ object: 't-1/2026-01.jsonl.gz', manifest: 't-1/2026-01.manifest.json', location: 's3://archives/prod' }],
        },
      }),
    );

    expect(p).toMatchObject({ status: 409, code: 'before_retention_horizon', field: 'from', horizon: '2026-03-01T00:00:00.000Z', archives: ['s3://archives/prod/t-1/2026-01.jsonl.gz'] });
    expect(adviceFor(p)).toMatch(/retention horizon/);
  });
});
