import { Writable } from 'node:stream';
import { DatabaseError } from 'pg';
import { QueryFailedError } from 'typeorm';
import { createLogger, rootLogger } from './logger';

const EMAIL = 'ann.jones@example.com';
const SSN = '123-45-6789';

/** A logger writing to memory; returns the lines written so far. */
function capture(): () => string {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  rootLogger({ service: 'logger-spec', level: 'debug', destination: sink });
  return () => lines.join('');
}

/** A PostgreSQL error as node-postgres raises it. */
function pgError(message: string, fields: Partial<DatabaseError>): DatabaseError {
  return Object.assign(new DatabaseError(message, message.length, 'error'), { severity: 'ERROR', ...fields });
}

describe('logger', () => {
  it('should log a QueryFailedError without its parameters, its detail or the values in its query when a statement fails', () => {
    const output = capture();
    const driverError = pgError('duplicate key value violates unique constraint "users_email_key"', {
      code: '23505',
      detail: `Key (email)=(${EMAIL}) already exists.`,
      constraint: 'users_email_key',
      table: 'users',
    });
    const err = new QueryFailedError(`INSERT INTO users (email, profile, note) VALUES ($1, $2, 'ssn ${SSN}')`, [EMAIL, JSON.stringify({ input: { ssn: SSN } })], driverError);
    createLogger('Spec').error({ err }, 'insert failed');

    const text = output();
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(SSN);
    const line = JSON.parse(text.trim().split('\n').pop()!);
    expect(line.err).toMatchObject({
      type: 'QueryFailedError',
      message: 'duplicate key value violates unique constraint "users_email_key"',
      code: '23505',
      constraint: 'users_email_key',
      table: 'users',
      query: "INSERT INTO users (email, profile, note) VALUES ($1, $2, '[REDACTED]')",
    });
    expect(line.err.omitted).toEqual(expect.arrayContaining(['parameters', 'driverError', 'detail']));
    expect(line.err.stack).toContain('QueryFailedError');
  });

  it('should censor the value a PostgreSQL data exception quotes in its message and stack', () => {
    const output = capture();
    const driverError = pgError(`invalid input syntax for type uuid: "${EMAIL}"`, { code: '22P02', where: `unnamed portal parameter $1 = '${EMAIL}'` });
    createLogger('Spec').warn({ err: new QueryFailedError('SELECT * FROM api_keys WHERE id = $1', [EMAIL], driverError) }, 'lookup failed');

    const text = output();
    expect(text).not.toContain(EMAIL);
    expect(JSON.parse(text).err.message).toBe('invalid input syntax for type uuid: "[REDACTED]"');
  });

  it('should serialize causes the same way when a database error is wrapped', () => {
    const output = capture();
    const cause = new QueryFailedError('UPDATE t SET v = $1', [{ email: EMAIL }], pgError('value too long for type character varying(8)', { code: '22001' }));
    createLogger('Spec').error({ err: new Error('projection failed', { cause }) }, 'batch failed');

    const text = output();
    expect(text).not.toContain(EMAIL);
    expect(JSON.parse(text).err).toMatchObject({ message: 'projection failed', cause: { type: 'QueryFailedError', code: '22001', omitted: expect.arrayContaining(['parameters']) } });
  });

  it('should censor the text a JSON.parse error quotes when a message body is not JSON', () => {
    const output = capture();
    let err: unknown;
    try {
      JSON.parse(`ssn ${SSN}`);
    } catch (e) {
      err = e;
    }
    createLogger('Spec').warn({ err }, 'not JSON');
    expect(output()).not.toContain(SSN);
  });

  it('should redact event payloads and statement parameters when an object carrying them is logged', () => {
    const output = capture();
    createLogger('Spec').info({ event: { input: { email: EMAIL } }, batch: { parameters: [SSN], input: SSN }, apiKey: 'alk_ingest_x' }, 'something');
    const text = output();
    expect(text).not.toContain(EMAIL);
    expect(text).not.toContain(SSN);
    expect(text).not.toContain('alk_ingest_x');
    expect(JSON.parse(text)).toMatchObject({ event: '[REDACTED]', batch: { parameters: '[REDACTED]', input: '[REDACTED]' } });
  });

  it('should keep what describes a connection error when the database is unreachable', () => {
    const output = capture();
    const err = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect', address: '127.0.0.1', port: 5432 });
    createLogger('Spec').warn({ err }, 'database unavailable');
    expect(JSON.parse(output()).err).toMatchObject({ type: 'Error', message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED', syscall: 'connect', port: 5432 });
  });
});
