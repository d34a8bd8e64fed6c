import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { commonEnv } from './env-fields';
import { kafkaSecurityOf, kafkaSecurityProblems } from './kafka-env';
import { ConfigValidationError, loadConfig } from './load-config';

const dir = mkdtempSync(path.join(tmpdir(), 'kafka-env-spec-'));
const pemFile = path.join(dir, 'ca.pem');
writeFileSync(pemFile, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
const notPem = path.join(dir, 'not-pem.txt');
writeFileSync(notPem, 'hello\n');
const passwordFile = path.join(dir, 'password');
writeFileSync(passwordFile, 's3cret-from-file\n');

const schema = z.object({ ...commonEnv });
const base = { KAFKA_BROKERS: '127.0.0.1:9094', DATABASE_URL: 'postgres://x@127.0.0.1/db', REDIS_URL: 'redis://127.0.0.1:6379' };

function problemsOf(env: Record<string, string>): { variable: string; message: string }[] {
  try {
    loadConfig('svc', schema, { ...base, ...env });
  } catch (err) {
    if (err instanceof ConfigValidationError) return [...err.problems];
    throw err;
  }
  return [];
}

describe('Kafka security settings', () => {
  it('should default to PLAINTEXT without SASL when no variable is set', () => {
    const cfg = loadConfig('svc', schema, base);
    expect(kafkaSecurityOf(cfg)).toEqual(expect.objectContaining({ KAFKA_SSL: false, KAFKA_SSL_REJECT_UNAUTHORIZED: true, KAFKA_SASL_MECHANISM: undefined }));
  });

  it('should parse TLS and SCRAM settings when they fit together', () => {
    const cfg = loadConfig('svc', schema, {
      ...base,
      KAFKA_SSL: 'true',
      KAFKA_SSL_CA_FILE: pemFile,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    });
    expect(cfg.KAFKA_SSL).toBe(true);
    expect(cfg.KAFKA_SASL_MECHANISM).toBe('scram-sha-512');
    expect(cfg.KAFKA_SSL_CA_FILE).toBe(pemFile);
  });

  it('should name KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD when a mechanism has no credentials', () => {
    expect(problemsOf({ KAFKA_SASL_MECHANISM: 'plain' }).map((p) => p.variable).sort()).toEqual(['KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME']);
  });

  it('should name KAFKA_SASL_MECHANISM when it is not one of the supported mechanisms', () => {
    const problems = problemsOf({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' });
    expect(problems.map((p) => p.variable)).toContain('KAFKA_SASL_MECHANISM');
  });

  it('should refuse credentials when no mechanism is set', () => {
    expect(problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' }).map((p) => p.variable).sort()).toEqual(['KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME']);
  });

  it('should refuse both a password and a password file', () => {
    const problems = problemsOf({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p', KAFKA_SASL_PASSWORD_FILE: passwordFile });
    expect(problems).toEqual([expect.objectContaining({ variable: 'KAFKA_SASL_PASSWORD_FILE', message: expect.stringContaining('not both') })]);
  });

  it('should name KAFKA_SSL_CA_FILE when the file cannot be read', () => {
    const problems = problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: path.join(dir, 'missing.pem') });
    expect(problems).toEqual([expect.objectContaining({ variable: 'KAFKA_SSL_CA_FILE', message: expect.stringContaining('not readable') })]);
  });

  it('should name KAFKA_SSL_CA_FILE when the file is not PEM', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: notPem })).toEqual([expect.objectContaining({ variable: 'KAFKA_SSL_CA_FILE', message: expect.stringContaining('PEM') })]);
  });

  it('should refuse TLS details when KAFKA_SSL is not true', () => {
    expect(problemsOf({ KAFKA_SSL_CA_FILE: pemFile })).toEqual([expect.objectContaining({ variable: 'KAFKA_SSL_CA_FILE', message: expect.stringContaining('KAFKA_SSL is not true') })]);
  });

  it('should require the key with a client certificate and the certificate with a key', () => {
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_CERT_FILE: pemFile }).map((p) => p.variable)).toEqual(['KAFKA_SSL_KEY_FILE']);
    expect(problemsOf({ KAFKA_SSL: 'true', KAFKA_SSL_KEY_FILE: pemFile }).map((p) => p.variable)).toEqual(['KAFKA_SSL_CERT_FILE']);
  });

  it('should never echo a password in a problem', () => {
    const problems = problemsOf({ KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'do-not-print-me' });
    expect(JSON.stringify(problems)).not.toContain('do-not-print-me');
  });

  describe('in production', () => {
    it('should refuse PLAIN without TLS', () => {
      const problems = kafkaSecurityProblems({ NODE_ENV: 'production', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' });
      expect(problems).toEqual([expect.objectContaining({ variable: 'KAFKA_SASL_MECHANISM' })]);
    });

    it('should refuse KAFKA_SSL_REJECT_UNAUTHORIZED=false', () => {
      expect(kafkaSecurityProblems({ NODE_ENV: 'production', KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' })).toEqual([
        expect.objectContaining({ variable: 'KAFKA_SSL_REJECT_UNAUTHORIZED' }),
      ]);
    });

    it('should accept SCRAM without TLS and PLAIN with TLS', () => {
      expect(kafkaSecurityProblems({ NODE_ENV: 'production', KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([]);
      expect(kafkaSecurityProblems({ NODE_ENV: 'production', KAFKA_SSL: 'true', KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' })).toEqual([]);
    });
  });
});
