import { classifyError, DataError, TransientError } from './error-classification';

const pgError = (code: string, message = 'failed') => Object.assign(new Error(message), { name: 'QueryFailedError', code, driverError: Object.assign(new Error(message), { code }) });

describe(classifyError.name, () => {
  it.each([
    ['08006', 'connection failure'],
    ['53300', 'too many connections'],
    ['57P01', 'admin shutdown'],
    ['40001', 'serialization failure'],
    ['40P01', 'deadlock'],
    ['42P01', 'undefined table (a deployment problem)'],
  ])('should call PostgreSQL %s (%s) transient when it is raised', (code) => {
    expect(classifyError(pgError(code))).toBe('transient');
  });

  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22P05', 'unsupported Unicode escape sequence'],
    ['22007', 'invalid datetime'],
    ['54000', 'program limit exceeded'],
    ['23502', 'not-null violation'],
    ['23503', 'foreign key violation'],
  ])('should call PostgreSQL %s data when it is raised', (code, message) => {
    expect(classifyError(pgError(code, message))).toBe('data');
  });

  it('should leave a unique violation unknown when a concurrent writer can cause it', () => {
    expect(classifyError(pgError('23505'))).toBe('unknown');
  });

  it('should call network and driver errors transient when a dependency is away', () => {
    expect(classifyError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }))).toBe('transient');
    expect(classifyError(new Error('Connection terminated unexpectedly'))).toBe('transient');
    expect(classifyError(Object.assign(new Error('x'), { name: 'KafkaJSConnectionError' }))).toBe('transient');
    expect(classifyError(new Error('Query read timeout'))).toBe('transient');
    expect(classifyError(new TransientError('retry me'))).toBe('transient');
  });

  it('should call JSON, encoding and handler-marked errors data when the message is bad', () => {
    expect(classifyError(new SyntaxError('Unexpected token } in JSON at position 3'))).toBe('data');
    expect(classifyError(new Error('invalid byte sequence for encoding "UTF8": 0x00'))).toBe('data');
    expect(classifyError(new DataError('no such escalation', 'unknown_escalation'))).toBe('data');
  });

  it('should call lost group membership membership when kafkajs reports it', () => {
    expect(classifyError(Object.assign(new Error('The coordinator is not aware of this member'), { name: 'KafkaJSProtocolError', type: 'UNKNOWN_MEMBER_ID' }))).toBe('membership');
    expect(classifyError(Object.assign(new Error('x'), { type: 'ILLEGAL_GENERATION' }))).toBe('membership');
    expect(classifyError(Object.assign(new Error('wrapped'), { name: 'KafkaJSNumberOfRetriesExceeded', originalError: { type: 'REBALANCE_IN_PROGRESS' } }))).toBe('membership');
  });

  it('should follow the cause when an error wraps another', () => {
    expect(classifyError(new Error('apply failed', { cause: pgError('22021') }))).toBe('data');
  });

  it('should answer unknown when nothing is recognised', () => {
    expect(classifyError(new Error('something odd'))).toBe('unknown');
    expect(classifyError('a string')).toBe('unknown');
  });
});
