import type { KafkaSecurityConfig } from '@agent-ledger/config';
import { kafkaSecurityFromConfig, summarizeKafkaSecurity } from './kafka-security';

const files: Record<string, string> = {
  '/tls/ca.crt': 'CA PEM',
  '/tls/client.crt': 'CLIENT CERT PEM',
  '/tls/client.key': 'CLIENT KEY PEM',
  '/secrets/key-password': 'key-pass\n',
  '/secrets/sasl-password': 'sasl-pass\r\n',
};
const read = (file: string): string => {
  const content = files[file];
  if (content === undefined) throw new Error(`unexpected read of ${file}`);
  return content;
};

const plaintext: KafkaSecurityConfig = { KAFKA_SSL: false, KAFKA_SSL_REJECT_UNAUTHORIZED: true };

describe(kafkaSecurityFromConfig.name, () => {
  it('should give no TLS and no SASL when nothing is configured', () => {
    expect(kafkaSecurityFromConfig(plaintext, read)).toEqual({});
  });

  it('should read the CA, client certificate, key and key password from their files when TLS is on', () => {
    const security = kafkaSecurityFromConfig(
      {
        ...plaintext,
        KAFKA_SSL: true,
        KAFKA_SSL_CA_FILE: '/tls/ca.crt',
        KAFKA_SSL_CERT_FILE: '/tls/client.crt',
        KAFKA_SSL_KEY_FILE: '/tls/client.key',
        KAFKA_SSL_KEY_PASSWORD_FILE: '/secrets/key-password',
      },
      read,
    );
    expect(security.ssl).toEqual({ rejectUnauthorized: true, ca: ['CA PEM'], cert: 'CLIENT CERT PEM', key: 'CLIENT KEY PEM', passphrase: 'key-pass' });
    expect(security.sasl).toBeUndefined();
  });

  it('should use the system trust store and keep rejectUnauthorized=false when asked', () => {
    expect(kafkaSecurityFromConfig({ ...plaintext, KAFKA_SSL: true, KAFKA_SSL_REJECT_UNAUTHORIZED: false }, read).ssl).toEqual({ rejectUnauthorized: false });
  });

  it('should build the SASL options with the password from its file without the line break', () => {
    const security = kafkaSecurityFromConfig(
      { ...plaintext, KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'ledger', KAFKA_SASL_PASSWORD_FILE: '/secrets/sasl-password' },
      read,
    );
    expect(security).toEqual({ sasl: { mechanism: 'scram-sha-256', username: 'ledger', password: 'sasl-pass' } });
  });

  it('should take the password from KAFKA_SASL_PASSWORD when no file is given', () => {
    const security = kafkaSecurityFromConfig({ ...plaintext, KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'ledger', KAFKA_SASL_PASSWORD: 'direct' }, read);
    expect(security.sasl).toEqual({ mechanism: 'plain', username: 'ledger', password: 'direct' });
  });
});

describe(summarizeKafkaSecurity.name, () => {
  it('should describe the security without the password or the key', () => {
    const cfg: KafkaSecurityConfig = {
      ...plaintext,
      KAFKA_SSL: true,
      KAFKA_SSL_CA_FILE: '/tls/ca.crt',
      KAFKA_SSL_CERT_FILE: '/tls/client.crt',
      KAFKA_SSL_KEY_FILE: '/tls/client.key',
      KAFKA_SASL_MECHANISM: 'scram-sha-512',
      KAFKA_SASL_USERNAME: 'ledger',
      KAFKA_SASL_PASSWORD: 'never-logged',
    };
    const summary = summarizeKafkaSecurity(kafkaSecurityFromConfig(cfg, read), cfg);
    expect(summary).toEqual({ ssl: true, caFile: '/tls/ca.crt', clientCertificate: true, rejectUnauthorized: true, saslMechanism: 'scram-sha-512', saslUsername: 'ledger' });
    expect(JSON.stringify(summary)).not.toMatch(/never-logged|CLIENT KEY PEM/);
  });
});
