import { ExitCode } from '../errors/cli.error';
import { DEFAULT_LEDGER_URL, readCliEnvironment, resolveConnection } from './cli.config';

describe('cli config', () => {
  it('should read the URL, key and public keys when the variables are set', () => {
    expect(readCliEnvironment({ LEDGER_URL: ' http://h:1 ', LEDGER_API_KEY: 'alk_x', LEDGER_SIGNING_PUBLIC_KEY: 'a, b' })).toEqual({ url: 'http://h:1', apiKey: 'alk_x', publicKeys: ['a', 'b'] });
    expect(readCliEnvironment({ LEDGER_URL: '  ' })).toEqual({ url: undefined, apiKey: undefined });
  });

  it('should keep only the ARCHIVE_S3_ variables for verify --archive when they are set', () => {
    expect(readCliEnvironment({ ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:9310', AWS_SECRET: 'x' }).archiveEnv).toEqual({ ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:9310' });
  });

  it('should prefer flags over the environment when both are given', () => {
    expect(resolveConnection({ url: 'http://flag:1/', key: 'k1' }, { url: 'http://env:2', apiKey: 'k2' })).toEqual({ baseUrl: 'http://flag:1', apiKey: 'k1', timeoutMs: 30_000 });
  });

  it('should use the environment and the default URL when no flag is given', () => {
    expect(resolveConnection({}, { apiKey: 'k2' })).toMatchObject({ baseUrl: DEFAULT_LEDGER_URL, apiKey: 'k2' });
    expect(resolveConnection({ timeout: 500 }, { url: 'https://ledger.example.com/base/', apiKey: 'k' })).toEqual({ baseUrl: 'https://ledger.example.com/base', apiKey: 'k', timeoutMs: 500 });
  });

  it('should fail with a usage error naming the flag and variable when no key is given', () => {
    expect(() => resolveConnection({}, {})).toThrow(expect.objectContaining({ exitCode: ExitCode.Usage, message: expect.stringContaining('--key or set LEDGER_API_KEY') }));
  });

  it('should fail with a usage error when the URL is not an http URL', () => {
    expect(() => resolveConnection({ url: 'localhost:3200', key: 'k' }, {})).toThrow(expect.objectContaining({ exitCode: ExitCode.Usage }));
    expect(() => resolveConnection({ url: 'not a url', key: 'k' }, {})).toThrow(/not a URL/);
    expect(() => resolveConnection({ url: 'http://user:pw@h', key: 'k' }, {})).toThrow(/credentials/);
    expect(() => resolveConnection({ url: 'http://h/?a=1', key: 'k' }, {})).toThrow(/without a query/);
  });
});
