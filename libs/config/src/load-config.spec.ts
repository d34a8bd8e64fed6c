import { z } from 'zod';
import { commonEnv, port } from './env-fields';
import { ConfigValidationError, envVariableNames, loadConfig } from './load-config';

const schema = z.object({ ...commonEnv, SOME_PORT: port(3100) });
const valid = {
  KAFKA_BROKERS: '127.0.0.1:9092, 127.0.0.1:9093',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/agent_ledger',
  REDIS_URL: 'redis://127.0.0.1:6380',
};

describe(loadConfig.name, () => {
  it('should parse and apply defaults when the environment is valid', () => {
    const cfg = loadConfig('svc', schema, valid);
    expect(cfg.KAFKA_BROKERS).toEqual(['127.0.0.1:9092', '127.0.0.1:9093']);
    expect(cfg.SOME_PORT).toBe(3100);
    expect(cfg.HOST).toBe('127.0.0.1');
    expect(cfg.NODE_ENV).toBe('development');
  });

  it('should name every missing variable when several are absent', () => {
    try {
      loadConfig('svc', schema, { KAFKA_BROKERS: valid.KAFKA_BROKERS });
      fail('expected a ConfigValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigValidationError);
      const e = err as ConfigValidationError;
      expect(e.problems.map((p) => p.variable).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
      expect(e.message).toContain('DATABASE_URL: DATABASE_URL is required');
    }
  });

  it('should reject malformed values without echoing them when a value is wrong', () => {
    const secretish = 'mysql://user:hunter2@db/x';
    expect(() => loadConfig('svc', schema, { ...valid, DATABASE_URL: secretish, SOME_PORT: '70000', KAFKA_BROKERS: 'nohostport' })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.objectContaining({ variable: 'DATABASE_URL' }),
          expect.objectContaining({ variable: 'SOME_PORT' }),
          expect.objectContaining({ variable: 'KAFKA_BROKERS.0' }),
        ]),
      }),
    );
    try {
      loadConfig('svc', schema, { ...valid, DATABASE_URL: secretish });
    } catch (err) {
      expect((err as Error).message).not.toContain('hunter2');
    }
  });

  it('should treat an empty variable as unset when it is blank', () => {
    expect(() => loadConfig('svc', schema, { ...valid, REDIS_URL: '' })).toThrow(/REDIS_URL/);
  });
});

describe(envVariableNames.name, () => {
  it('should list the keys of an object schema when given one', () => {
    expect(envVariableNames(z.object({ B: z.string(), A: z.string() }))).toEqual(['A', 'B']);
  });
});
