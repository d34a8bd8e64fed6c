import { Inject, Injectable } from '@nestjs/common';
import {
  prefixPointer,
  redactEvent,
  scrubFreeText,
  stampActionEvent,
  validateActionEvent,
  validateActionEventInput,
  type ActionEvent,
  type ActionEventInput,
  type FieldError,
  type ValidationResult,
} from '@agent-ledger/contracts';
import { SenderBusyError } from '@agent-ledger/kafka';
import { ApiError, type FieldProblem } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { ActionEventsProducer, type PublishableEvent } from './action-events.producer';
import { IngestAdmission } from './ingest-admission';
import { ingestMetrics } from './ingest.metrics';
import { INGEST_SETTINGS, type IngestSettings } from './ingest.settings';
import { PiiSealer } from './pii-sealer';
import { TenantRedactionRepository } from './tenant-redaction.repository';

export interface IngestResult {
  accepted: { eventId: string }[];
}

const toProblem = (e: FieldError): FieldProblem => ({ field: e.pointer, code: e.code, message: e.message });

/**
 * Validates every event of a request (all or nothing), redacts secrets and free-text PII per the
 * tenant's settings (docs/privacy.md#free-form-pii), stamps tenant and
 * receivedAt, encrypts PII (subject.pii, actor.ip) under the subjects' keys, and publishes; answers
 * only after Kafka acknowledged every event. A request is taken only while the events in progress
 * stay within INGEST_MAX_PENDING_EVENTS (`IngestAdmission`), else answered 503 `ingest_overloaded`.
 */
@Injectable()
export class IngestService {
  private readonly log = createLogger(IngestService.name);
  private readonly admission: IngestAdmission;

  constructor(
    private readonly producer: ActionEventsProducer,
    private readonly tenants: TenantRedactionRepository,
    private readonly pii: PiiSealer,
    @Inject(INGEST_SETTINGS) private readonly settings: IngestSettings,
  ) {
    this.admission = new IngestAdmission(settings.maxPendingEvents);
  }

  async ingest(tenantId: string, body: unknown): Promise<IngestResult> {
    const { inputs, prefix } = this.unwrap(body);
    const release = this.admission.admit(inputs.length);
    if (!release) throw this.overloaded(inputs.length);
    try {
      return await this.take(tenantId, inputs, prefix);
    } finally {
      release();
    }
  }

  private async take(tenantId: string, inputs: unknown[], prefix: (i: number) => string): Promise<IngestResult> {
    const errors: FieldProblem[] = [];
    const valid: ActionEventInput[] = [];
    inputs.forEach((input, i) => {
      const result = validateActionEventInput(input);
      if (result.ok) valid.push(result.value);
      else errors.push(...prefixPointer(result.errors, prefix(i)).map(toProblem));
    });
    if (errors.length) {
      ingestMetrics.rejected().inc({ reason: 'validation' }, inputs.length);
      throw ApiError.validation(errors, `${errors.length} invalid field(s) in ${inputs.length} event(s); nothing was accepted`);
    }

    const redaction = await this.tenants.settingsOf(tenantId);
    const receivedAt = new Date().toISOString();
    const publishable: PublishableEvent[] = valid.map((input, i) => {
      const { event: redacted, redactedPaths } = redactEvent(input, redaction.keyPatterns);
      // Free text next: e-mail addresses, phone numbers, value patterns (redacted, or moved into subject.pii to be sealed below).
      const { event: scrubbed, changedPaths } = scrubFreeText(redacted, redaction.freeText);
      const stamped = stampActionEvent(scrubbed, { tenantId, receivedAt });
      // A valid input that redaction left as it was is a valid stored event once stamped (the stored
      // schema accepts every input, stamping adds under the 1 KiB between the two size limits): it is
      // validated once. Redaction only replaces text with text (a marker may be longer than what it
      // replaces): the checks a changed event can fail here are sizes (code tooLarge / maxLength).
      const unchanged = !redactedPaths.length && !changedPaths.length;
      const stored: ValidationResult<ActionEvent> = unchanged ? { ok: true, value: stamped } : validateActionEvent(stamped);
      if (!stored.ok) throw ApiError.validation(prefixPointer(stored.errors, prefix(i)).map(toProblem), 'an event is over a size limit once redacted and stamped; nothing was accepted');
      return { event: stored.value, redactedPaths: [...redactedPaths, ...changedPaths.filter((p) => !redactedPaths.includes(p))] };
    });

    const sealed = await this.pii.seal(publishable.map((p) => p.event));
    sealed.forEach((event, i) => {
      if (event === publishable[i].event) return;
      // Encryption grows the PII (base64 and the envelope); the stored form must still fit.
      const checked = validateActionEvent(event);
      if (!checked.ok) throw ApiError.validation(prefixPointer(checked.errors, prefix(i)).map(toProblem), 'an event is over the size limit once its PII is encrypted; nothing was accepted');
      publishable[i] = { ...publishable[i], event: checked.value };
    });

    await this.publish(publishable);
    ingestMetrics.accepted().inc(publishable.length);
    return { accepted: publishable.map((p) => ({ eventId: p.event.eventId })) };
  }

  /** 503 ingest_overloaded: the request was refused before anything of it was published. */
  private overloaded(events: number): ApiError {
    ingestMetrics.rejected().inc({ reason: 'overloaded' }, events);
    return ApiError.unavailable('ingest_overloaded', 'too many events are in progress or waiting for the event log; retry shortly with the same eventIds', 1);
  }

  /** One event, or `{"events":[…]}`; returns the inputs and how to name their fields. */
  private unwrap(body: unknown): { inputs: unknown[]; prefix: (i: number) => string } {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      throw ApiError.badRequest('invalid_body', 'the body must be one event object or {"events":[…]}', '(body)');
    }
    if (!('events' in body)) return { inputs: [body], prefix: () => '' };
    const extra = Object.keys(body).filter((k) => k !== 'events');
    if (extra.length) throw ApiError.badRequest('invalid_body', `a batch body holds only "events" (unexpected: ${extra.join(', ')})`, `/${extra[0]}`);
    const events = (body as { events: unknown }).events;
    if (!Array.isArray(events)) throw ApiError.badRequest('invalid_body', 'events must be an array of events', '/events');
    if (!events.length) throw ApiError.badRequest('empty_batch', 'events must hold at least one event', '/events');
    if (events.length > this.settings.maxEvents) {
      throw new ApiError(413, 'too_many_events', `a request may hold at most ${this.settings.maxEvents} events (got ${events.length})`, '/events');
    }
    return { inputs: events, prefix: (i) => `/events/${i}` };
  }

  /**
   * Publishes, or answers 503: at once when too many events already wait for Kafka
   * (`ingest_overloaded`; a request answered 503 after its events were handed to Kafka leaves them
   * in the sender's count until Kafka answers), or when Kafka does not acknowledge within the
   * publish timeout. Events are
   * keyed by eventId in the ledger, so a client that retries a 503 with the same eventIds (the SDK
   * does) stores each once even if part of the request had reached Kafka.
   */
  private async publish(events: PublishableEvent[]): Promise<void> {
    try {
      await this.producer.publish(events, this.settings.publishTimeoutMs);
    } catch (err) {
      if (err instanceof SenderBusyError) throw this.overloaded(events.length);
      ingestMetrics.rejected().inc({ reason: 'kafka_unavailable' }, events.length);
      this.log.warn({ err, events: events.length }, 'publishing to Kafka failed; answering 503');
      throw ApiError.unavailable('kafka_unavailable', 'the event log is unavailable; retry later with the same eventIds', 2);
    }
  }
}
