import { counter } from '@agent-ledger/telemetry';

export const ingestMetrics = {
  accepted: () => counter('ledger_ingest_events_accepted_total', 'Events acknowledged by Kafka and answered 202'),
  rejected: () => counter('ledger_ingest_events_rejected_total', 'Events of rejected requests, by reason', ['reason']),
};
