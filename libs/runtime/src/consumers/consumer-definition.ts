import type { ConsumerHostOptions } from '@agent-ledger/kafka';

/**
 * One consumer group member a service runs: the {@link ConsumerHostOptions} without the handler.
 * The handler of each topic is the controller method decorated `@EventPattern(topic)`; the
 * transport finds it by the topic of every batch.
 */
export interface ConsumerDefinition extends Omit<ConsumerHostOptions, 'handle'> {
  /** The name the consumer's readiness and liveness are reported under (`/health/ready`, `/health/live`). */
  health: string;
  /**
   * Starts the consumer once this resolves (something it needs first: a schema step, a policy
   * check). A rejection is logged and leaves the consumer stopped, which readiness reports.
   */
  startAfter?(): Promise<unknown>;
}
