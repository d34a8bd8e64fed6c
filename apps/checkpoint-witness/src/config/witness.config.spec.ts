import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { ConfigValidationError } from '@agent-ledger/config';
import { loadWitnessConfig } from './witness.config';

const spki = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const base = { KAFKA_BROKERS: '127.0.0.1:9092', LEDGER_SIGNING_PUBLIC_KEY: spki };

describe('loadWitnessConfig', () => {
  it('should need neither a database nor Redis and default to port 3304 and .stack/witness when only Kafka and the key are set', () => {
    const cfg = loadWitnessConfig(base);
    expect(cfg.CHECKPOINT_WITNESS_PORT).toBe(3304);
    expect(cfg.CHECKPOINT_WITNESS_GROUP_ID).toBe('checkpoint-witness');
    expect(cfg.witnessDir).toBe(path.resolve('.stack/witness'));
    expect(cfg.trustedKeys.size).toBe(1);
  });

  it('should name each bad variable when the key, the token or the webhook URL is invalid', () => {
    let err: unknown;
    try {
      loadWitnessConfig({ ...base, LEDGER_SIGNING_PUBLIC_KEY: 'bm90LWEta2V5', WITNESS_READ_TOKEN: 'short', WITNESS_WEBHOOK_URL: 'ftp://x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigValidationError);
    expect((err as ConfigValidationError).problems.map((p) => p.variable).sort()).toEqual(['LEDGER_SIGNING_PUBLIC_KEY', 'WITNESS_READ_TOKEN', 'WITNESS_WEBHOOK_URL']);
  });

  it('should refuse to start without the public keys', () => {
    expect(() => loadWitnessConfig({ KAFKA_BROKERS: '127.0.0.1:9092' })).toThrow(/LEDGER_SIGNING_PUBLIC_KEY/);
  });
});
