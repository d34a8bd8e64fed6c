import { ConfigValidationError } from '@agent-ledger/config';
import { loadAuditApiConfig } from './audit-api.config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://127.0.0.1/x', REDIS_URL: 'redis://127.0.0.1:6379' };
const keys = { LEDGER_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'), LEDGER_SIGNING_PUBLIC_KEY: 'MCowBQYDK2VwAyEA' + 'A'.repeat(43) + '=' };

describe('audit-api config', () => {
  it('should refuse to start in production when LEDGER_ROOT_KEY is missing or shorter than 32 characters', () => {
    for (const rootKey of [undefined, 'x'.repeat(31)]) {
      const env = { ...base, ...keys, NODE_ENV: 'production', ...(rootKey ? { LEDGER_ROOT_KEY: rootKey } : {}) };
      expect(() => loadAuditApiConfig(env)).toThrow(ConfigValidationError);
      expect(() => loadAuditApiConfig(env)).toThrow(/LEDGER_ROOT_KEY/);
    }
  });

  it('should start in production when the root key has at least 32 characters', () => {
    expect(loadAuditApiConfig({ ...base, ...keys, NODE_ENV: 'production', LEDGER_ROOT_KEY: 'k'.repeat(32) }).LEDGER_ROOT_KEY).toHaveLength(32);
  });

  it('should refuse to start in production without the master key and the checkpoint public key', () => {
    expect(() => loadAuditApiConfig({ ...base, NODE_ENV: 'production', LEDGER_ROOT_KEY: 'k'.repeat(32) })).toThrow(/LEDGER_MASTER_KEY[\s\S]*LEDGER_SIGNING_PUBLIC_KEY|LEDGER_SIGNING_PUBLIC_KEY[\s\S]*LEDGER_MASTER_KEY/);
  });

  it('should start without a root key outside production, with tenant administration answering 401', () => {
    expect(loadAuditApiConfig({ ...base, NODE_ENV: 'development' }).LEDGER_ROOT_KEY).toBeUndefined();
  });

  it('should never echo the root key when it is rejected', () => {
    const secret = 'tiny-secret';
    let message = '';
    try {
      loadAuditApiConfig({ ...base, LEDGER_ROOT_KEY: secret });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/LEDGER_ROOT_KEY/);
    expect(message).not.toContain(secret);
  });
});
