/** Settings of the retention feature (from audit-api's configuration). */
export interface RetentionSettings {
  redisUrl: string;
  /** BullMQ key prefix of the retention queue (RETENTION_QUEUE_PREFIX): the retention worker's. */
  queuePrefix: string;
  /** How long queuing or reading a run may wait for Redis before the answer is 503. */
  queueTimeoutMs: number;
}

export const RETENTION_SETTINGS = Symbol('RETENTION_SETTINGS');
