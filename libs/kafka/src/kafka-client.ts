import { Kafka, logLevel, type KafkaConfig, type LogEntry } from 'kafkajs';
import { createLogger } from '@agent-ledger/telemetry';

export interface KafkaConnectionOptions {
  brokers: string[];
  clientId: string;
  /** Per-request and connection timeouts are kept short so an unreachable broker is noticed quickly. */
  connectionTimeoutMs?: number;
  requestTimeoutMs?: number;
  retries?: number;
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

export function createKafka(opts: KafkaConnectionOptions): Kafka {
  const config: KafkaConfig = {
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
