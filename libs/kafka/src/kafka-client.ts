import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import type { KafkaSecurityConfig } from '@agent-ledger/config';
import { createLogger } from '@agent-ledger/telemetry';
import { kafkaSecurityFromConfig, summarizeKafkaSecurity } from './kafka-security';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** Per-request and connection timeouts are kept short so an unreachable broker is noticed quickly. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retries?: number;
  /**
   * TLS and SASL from the KAFKA_SSL_* / KAFKA_SASL_* variables (libs/config `kafkaSecurityEnv`);
   * without it, or with KAFKA_SSL=false and no mechanism, the connection is PLAINTEXT.
   */
  security?: KafkaSecurityConfig;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

/** kafkajs logs through the service's structured logger. */
function logCreator() {
  const log = createLogger('kafkajs');
  return ({ level, log: entry }: LogEntry) => {
    const { message, ...fields } = entry;
    const method = LEVELS[level] ?? 'info';
    // kafkajs reports every reconnect attempt at ERROR; it retries by itself, so these are warnings.
    log[method === 'error' ? 'warn' : method](fields, message);
  };
}

/**
 * The one place a Kafka client is built: every service, consumer, producer and CLI tool goes
 * through it, so the connection's security is applied here (docs/kafka-security.md).
 */
export function createKafka(opts: KafkaConnectionOptions): Kafka {
  const security = opts.security ? kafkaSecurityFromConfig(opts.security) : {};
  if (security.ssl || security.sasl) {
    createLogger('Kafka').info({ clientId: opts.clientId, security: summarizeKafkaSecurity(security, opts.security) }, 'kafka client with TLS/SASL');
  }
  const config: KafkaConfig = {
    ...security,
    clientId: opts.clientId,
    brokers: opts.brokers,
    connectionTimeout: opts.connectionTimeoutMs ?? 3_000,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    retry: { retries: opts.retries ?? 5, initialRetryTime: 200, maxRetryTime: 5_000 },
    logLevel: logLevel.WARN,
    logCreator,
  };
  return new Kafka(config);
}
