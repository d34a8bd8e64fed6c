import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ConfigValidationError } from '@agent-ledger/config';
import { loadAuditProjectorConfig } from './audit-projector.config';

const base = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/agent_ledger',
  REDIS_URL: 'redis://127.0.0.1:6380',
};
const ed25519 = () => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    loadAuditProjectorConfig(env);
    return [];
  } catch (err) {
    if (!(err instanceof ConfigValidationError)) throw err;
    return err.problems.map((p) => `${p.variable}: ${p.message}`);
  }
}

describe(loadAuditProjectorConfig.name, () => {
  it('should decode the keys and apply defaults when both keys are valid', () => {
    const master = randomBytes(32);
    const cfg = loadAuditProjectorConfig({ ...base, LEDGER_MASTER_KEY: master.toString('base64'), LEDGER_SIGNING_KEY: ed25519() });

    expect(cfg.LEDGER_MASTER_KEY?.equals(master)).toBe(true);
    expect(cfg.LEDGER_SIGNING_KEY?.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(cfg.AUDIT_PROJECTOR_GROUP_ID).toBe('audit-projector');
    expect(cfg.CHECKPOINT_EVERY_EVENTS).toBe(1000);
  });

  it('should name both keys without echoing them when they are malformed', () => {
    const badMaster = randomBytes(16).toString('base64');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');

    const found = problems({ ...base, LEDGER_MASTER_KEY: badMaster, LEDGER_SIGNING_KEY: rsa });

    expect(found).toEqual(['LEDGER_MASTER_KEY: must be 32 bytes, base64-encoded', 'LEDGER_SIGNING_KEY: signing key must be Ed25519 (is rsa)']);
    expect(found.join()).not.toContain(badMaster);
    expect(problems({ ...base, LEDGER_SIGNING_KEY: 'not base64 at all' })).toEqual(['LEDGER_SIGNING_KEY: must be base64 PKCS#8 DER']);
  });

  it('should require both keys when NODE_ENV is production', () => {
    expect(problems({ ...base, NODE_ENV: 'production' })).toEqual([
      'LEDGER_MASTER_KEY: LEDGER_MASTER_KEY is required when NODE_ENV=production',
      'LEDGER_SIGNING_KEY: LEDGER_SIGNING_KEY is required when NODE_ENV=production',
    ]);
    expect(problems({ ...base, NODE_ENV: 'development' })).toEqual([]);
  });
});
