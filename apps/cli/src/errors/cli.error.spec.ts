import { ApiResponseError, describeApiError, ExitCode, fromFetchError, networkErrorCode, parseApiErrorBody } from './cli.error';

describe('cli errors', () => {
  describe(ApiResponseError.name, () => {
    it('should exit with the auth code and name the key when the API answers 401', () => {
      const err = new ApiResponseError(401, { status: 401, code: 'invalid_api_key', message: 'unknown API key' }, 'http://x/v1/actions');
      expect(err.exitCode).toBe(ExitCode.AuthFailed);
      expect(err.message).toBe('the API key was rejected (401 invalid_api_key: unknown API key): check --key or LEDGER_API_KEY');
    });

    it('should exit with the auth code and name the missing scope when the API answers 403', () => {
      const err = new ApiResponseError(403, { status: 403, code: 'insufficient_scope', message: 'needs read' }, 'u');
      expect(err.exitCode).toBe(ExitCode.AuthFailed);
      expect(err.message).toContain('403 insufficient_scope: needs read');
    });

    it('should exit with the API error code and print code, message and field when the API answers 400', () => {
      const err = new ApiResponseError(400, { status: 400, code: 'validation_failed', message: 'status: invalid value', field: 'status' }, 'u');
      expect(err.exitCode).toBe(ExitCode.ApiError);
      expect(err.message).toBe('validation_failed (400): status: invalid value (field: status)');
    });

    it('should list every invalid field when the API names several', () => {
      const body = parseApiErrorBody(
        JSON.stringify({ error: { status: 400, code: 'validation_failed', message: 'the request is invalid: 2 invalid fields', field: 'from', errors: [{ field: 'from', code: 'invalid', message: 'bad date' }, { field: 'limit', code: 'too_big', message: 'at most 1000' }] } }),
      );
      expect(describeApiError(400, body)).toBe('validation_failed (400): the request is invalid: 2 invalid fields (field: from) [from: bad date; limit: at most 1000]');
    });

    it('should quote the start of a body that is not the error shape when a proxy answers', () => {
      const err = new ApiResponseError(502, parseApiErrorBody('<html>Bad Gateway</html>'), 'u', '<html>Bad Gateway</html>');
      expect(err.exitCode).toBe(ExitCode.ApiError);
      expect(err.message).toBe('the audit API answered 502 without an error body: <html>Bad Gateway</html>');
    });
  });

  describe(fromFetchError.name, () => {
    const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' }) });

    it('should exit with the unreachable code and name the URL when the connection is refused', () => {
      const err = fromFetchError(refused(), 'http://127.0.0.1:9');
      expect(err.exitCode).toBe(ExitCode.Unreachable);
      expect(err.message).toBe('cannot reach the audit API at http://127.0.0.1:9 (ECONNREFUSED): is it running? Check --url or LEDGER_URL');
    });

    it('should find the code inside an AggregateError when several addresses were tried', () => {
      const err = Object.assign(new TypeError('fetch failed'), { cause: new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })]) });
      expect(networkErrorCode(err)).toBe('ECONNREFUSED');
    });

    it('should say the server did not answer in time when the request timed out', () => {
      const err = fromFetchError(new DOMException('timeout', 'TimeoutError'), 'http://h');
      expect(err.exitCode).toBe(ExitCode.Unreachable);
      expect(err.message).toContain('did not answer in time');
    });

    it('should say the connection was lost when a body breaks off', () => {
      const err = fromFetchError(Object.assign(new TypeError('terminated'), { cause: { code: 'UND_ERR_SOCKET' } }), 'http://h', 'transfer');
      expect(err).toMatchObject({ exitCode: ExitCode.Unreachable, message: 'the connection to the audit API at http://h was lost (UND_ERR_SOCKET)' });
    });

    it('should report an internal error when the failure is no network problem', () => {
      expect(fromFetchError(new RangeError('boom'), 'http://h').exitCode).toBe(ExitCode.Internal);
    });
  });
});
