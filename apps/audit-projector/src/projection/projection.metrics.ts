import { counter, histogram } from '@agent-ledger/telemetry';

/** The projector's Prometheus metrics (created on first use, registered once per process). */
export const projectionMetrics = {
  projected: () => counter('ledger_projector_events_projected_total', 'Events appended to audit_events', ['type']),
  duplicates: () => counter('ledger_projector_duplicates_total', 'Deliveries skipped because their eventId was already stored'),
  deadLetters: () => counter('ledger_projector_dead_letters_total', 'Messages sent to the DLQ topic', ['code']),
  batchDuration: () =>
    histogram('ledger_projector_batch_duration_seconds', 'Time to project one partition batch (one transaction)', ['outcome'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]),
  batchFailures: () => counter('ledger_projector_batch_failures_total', 'Batch transactions rolled back (the batch is retried)'),
};
