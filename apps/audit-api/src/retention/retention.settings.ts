/** Settings of the retention feature (from audit-api's configuration). */
export interface RetentionSettings {
  redisUrl: string;
  /** BullMQ key prefix of the retention queue: the retention worker must use the same. */
  queuePrefix: string;
  /** How long queuing or reading a run may wait for Redis before the answer is 503. */
  queueTimeoutMs: number;
}

/** BullMQ key prefix of the retention queue unless configured (the notifier's default too). */
export const DEFAULT_RETENTION_QUEUE_PREFIX = 'agent-ledger';

export const RETENTION_SETTINGS = Symbol('RETENTION_SETTINGS');
