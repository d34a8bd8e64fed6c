import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { KafkaSecurityConfig } from '@agent-ledger/config';
import type { SASLOptions } from 'kafkajs';

/** TLS and SASL in the shapes kafkajs takes (`KafkaConfig.ssl`, `KafkaConfig.sasl`). */
export interface KafkaSecurity {
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions;
}

/** What a log line may say about a client's security: never a password, a key or a file's content. */
export interface KafkaSecuritySummary {
  ssl: boolean;
  caFile?: string;
  clientCertificate: boolean;
  rejectUnauthorized?: boolean;
  saslMechanism?: string;
  saslUsername?: string;
}

type ReadFile = (file: string) => string;
const readUtf8: ReadFile = (file) => readFileSync(file, 'utf8');

/** A secret held in a file: its content without the trailing line break an editor or `echo` adds. */
const secretFrom = (file: string, read: ReadFile): string => read(file).replace(/\r?\n$/, '');

/**
 * Turns the parsed KAFKA_SSL_* / KAFKA_SASL_* settings into kafkajs options, reading the
 * certificate, key and password files (libs/config checked that they exist and fit together).
 */
export function kafkaSecurityFromConfig(cfg: KafkaSecurityConfig, read: ReadFile = readUtf8): KafkaSecurity {
  const security: KafkaSecurity = {};
  if (cfg.KAFKA_SSL) {
    const tls: ConnectionOptions = { rejectUnauthorized: cfg.KAFKA_SSL_REJECT_UNAUTHORIZED };
    if (cfg.KAFKA_SSL_CA_FILE) tls.ca = [read(cfg.KAFKA_SSL_CA_FILE)];
    if (cfg.KAFKA_SSL_CERT_FILE && cfg.KAFKA_SSL_KEY_FILE) {
      tls.cert = read(cfg.KAFKA_SSL_CERT_FILE);
      tls.key = read(cfg.KAFKA_SSL_KEY_FILE);
      const passphrase = cfg.KAFKA_SSL_KEY_PASSWORD_FILE ? secretFrom(cfg.KAFKA_SSL_KEY_PASSWORD_FILE, read) : cfg.KAFKA_SSL_KEY_PASSWORD;
      if (passphrase !== undefined) tls.passphrase = passphrase;
    }
    security.ssl = tls;
  }
  if (cfg.KAFKA_SASL_MECHANISM) {
    const username = cfg.KAFKA_SASL_USERNAME ?? '';
    const password = cfg.KAFKA_SASL_PASSWORD_FILE ? secretFrom(cfg.KAFKA_SASL_PASSWORD_FILE, read) : (cfg.KAFKA_SASL_PASSWORD ?? '');
    security.sasl = { mechanism: cfg.KAFKA_SASL_MECHANISM, username, password } as SASLOptions;
  }
  return security;
}

/** The loggable description of a client's security. */
export function summarizeKafkaSecurity(security: KafkaSecurity, cfg?: KafkaSecurityConfig): KafkaSecuritySummary {
  const tls = typeof security.ssl === 'object' ? security.ssl : undefined;
  const sasl = security.sasl as { mechanism?: string; username?: string } | undefined;
  return {
    ssl: Boolean(security.ssl),
    ...(cfg?.KAFKA_SSL_CA_FILE ? { caFile: cfg.KAFKA_SSL_CA_FILE } : {}),
    clientCertificate: Boolean(tls?.cert),
    ...(tls ? { rejectUnauthorized: tls.rejectUnauthorized !== false } : {}),
    ...(sasl?.mechanism ? { saslMechanism: sasl.mechanism, saslUsername: sasl.username } : {}),
  };
}
