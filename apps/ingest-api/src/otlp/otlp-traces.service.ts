import { Inject, Injectable } from '@nestjs/common';
import type { ActionEventInput } from '@agent-ledger/contracts';
import { IngestService } from '../events/ingest.service';
import { INGEST_SETTINGS, type IngestSettings } from '../events/ingest.settings';
import { mapGenAiSpan, type IgnoredReason, type RejectedReason } from './genai-span.mapper';
import type { OtlpSpan } from './otlp-span';
import { otlpMetrics } from './otlp.metrics';

/** `ExportTraceServiceResponse.partial_success`: absent when every span was taken. */
export interface TraceExportResult {
  partialSuccess?: { rejectedSpans: number; errorMessage: string };
}

/** How many rejected spans the answer's message names (the count covers them all). */
const NAMED_REJECTIONS = 5;

/**
 * Turns the spans of an OTLP export into agent actions for the tenant and publishes them through
 * the same intake as POST /v1/events (IngestService: validation, redaction, PII encryption, the
 * overload answers, Kafka's acknowledgement). Spans that are not tool calls are ignored; tool calls
 * that cannot be recorded are rejected and reported in `partial_success`. The events of an export
 * are sent in requests of at most INGEST_MAX_EVENTS events, both events of a span together; their
 * ids derive from the spans, so a retried export (or one retried after a part of it was published)
 * stores each event once.
 */
@Injectable()
export class OtlpTracesService {
  constructor(
    private readonly ingest: IngestService,
    @Inject(INGEST_SETTINGS) private readonly settings: IngestSettings,
  ) {}

  async export(tenantId: string, spans: OtlpSpan[]): Promise<TraceExportResult> {
    const actions: ActionEventInput[][] = [];
    const ignored = new Map<IgnoredReason, number>();
    const rejected: { reason: RejectedReason; message: string }[] = [];
    for (const span of spans) {
      const outcome = mapGenAiSpan(span);
      if (outcome.kind === 'action') actions.push(outcome.events);
      else if (outcome.kind === 'ignored') ignored.set(outcome.reason, (ignored.get(outcome.reason) ?? 0) + 1);
      else rejected.push(outcome);
    }

    const spansPerRequest = Math.max(1, Math.floor(this.settings.maxEvents / 2));
    for (let i = 0; i < actions.length; i += spansPerRequest) {
      await this.ingest.ingest(tenantId, { events: actions.slice(i, i + spansPerRequest).flat() });
    }

    if (actions.length) otlpMetrics.accepted().inc(actions.length);
    for (const [reason, n] of ignored) otlpMetrics.ignored().inc({ reason }, n);
    for (const r of rejected) otlpMetrics.rejected().inc({ reason: r.reason });
    if (!rejected.length) return {};
    const named = rejected.slice(0, NAMED_REJECTIONS).map((r) => r.message);
    const more = rejected.length > NAMED_REJECTIONS ? `; and ${rejected.length - NAMED_REJECTIONS} more` : '';
    return { partialSuccess: { rejectedSpans: rejected.length, errorMessage: `${rejected.length} tool call span(s) rejected: ${named.join('; ')}${more}` } };
  }
}
