import { counter, histogram } from '@agent-ledger/telemetry';
import type { DeliveryChannel } from './deliveries.repository';

/** One attempt as the queue hands it to a delivery service. */
export interface AttemptRequest {
  deliveryId: string;
  jobId: string;
  /** Attempts of this job already made (0 on the first). */
  attemptsMade: number;
  /** Attempts this job may make in all. */
  maxAttempts: number;
}

/** What the processor tells the queue after an attempt. */
export type DeliveryOutcome =
  | { kind: 'delivered' }
  /** Nothing to do: already delivered or failed, or superseded by a newer job (an API retry). */
  | { kind: 'skipped'; reason: string }
  | { kind: 'retry'; delayMs: number; error: string }
  | { kind: 'failed'; error: string };

const outcomes = () => counter('ledger_notifications_total', 'Delivery attempts by channel and outcome', ['channel', 'outcome']);
const durations = () => histogram('ledger_notification_attempt_seconds', 'Duration of delivery attempts', ['channel'], [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30]);

export function observeAttempt(channel: DeliveryChannel, outcome: DeliveryOutcome['kind'], durationMs: number): void {
  outcomes().inc({ channel, outcome });
  durations().observe({ channel }, durationMs / 1_000);
}

/** Whether the job has an attempt left after this one. */
export const hasAttemptLeft = (a: AttemptRequest): boolean => a.attemptsMade + 1 < a.maxAttempts;
