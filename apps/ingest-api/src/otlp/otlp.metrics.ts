import { counter } from '@agent-ledger/telemetry';

/** Spans of OTLP trace exports by what became of them (docs/otlp.md#metrics). */
export const otlpMetrics = {
  /** Tool call spans published as agent actions (two events each). */
  accepted: () => counter('ledger_otlp_spans_accepted_total', 'OTLP spans published as agent actions'),
  /** Spans that are not agent actions (not rejections: the export succeeds). */
  ignored: () => counter('ledger_otlp_spans_ignored_total', 'OTLP spans that are not agent actions, by reason', ['reason']),
  /** Tool call spans refused (counted in the answer's partial_success). */
  rejected: () => counter('ledger_otlp_spans_rejected_total', 'OTLP tool call spans refused, by reason', ['reason']),
};
