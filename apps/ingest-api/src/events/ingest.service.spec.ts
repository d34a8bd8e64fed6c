import { ACTION_EVENT_LIMITS, FreeTextScanner, type ActionEvent } from '@agent-ledger/contracts';
import type { Kafka } from '@agent-ledger/kafka';
import { ApiError } from '@agent-ledger/runtime';
import { anActionEventInput } from '@agent-ledger/testing';
import { ActionEventsProducer } from './action-events.producer';
import type { IngestSettings } from './ingest.settings';
import { IngestService } from './ingest.service';
import type { PiiSealer } from './pii-sealer';
import type { TenantRedactionRepository } from './tenant-redaction.repository';

const tenantId = '3f1c2b7e-8d9a-4c5b-9e6f-0a1b2c3d4e5f';

interface SentBatch {
  messages: { key: string; value: string }[];
}

/** IngestService over a Kafka whose produce calls are recorded and answered by `answer`. */
function ingestWith(answer: (batch: SentBatch) => Promise<void>, overrides: Partial<IngestSettings> = {}) {
  const sent: SentBatch[] = [];
  const kafka = {
    producer: () => ({
      on: () => undefined,
      connect: async () => undefined,
      disconnect: async () => undefined,
      send: (batch: SentBatch) => {
        sent.push(batch);
        return answer(batch);
      },
    }),
  } as unknown as Kafka;
  const settings: IngestSettings = { maxEvents: 1_000, maxBodyBytes: 1_048_576, publishTimeoutMs: 4_000, maxPendingEvents: 10_000, tenantCacheTtlMs: 0, pii: { keyTimeoutMs: 1_000, keyCacheTtlMs: 0 }, ...overrides };
  const tenants = { settingsOf: async () => ({ keyPatterns: [], freeText: new FreeTextScanner({ valuePatterns: [], freeTextPii: 'off', phoneRegion: null }) }) } as unknown as TenantRedactionRepository;
  const pii = { seal: async (events: ActionEvent[]) => events } as unknown as PiiSealer;
  return { service: new IngestService(new ActionEventsProducer(kafka, settings), tenants, pii, settings), sent };
}

const published = (sent: SentBatch[]) => sent.flatMap((b) => b.messages.map((m) => JSON.parse(m.value) as ActionEvent));

describe(IngestService.name, () => {
  it('should publish each event stamped with the tenant and receivedAt, and answer its eventId, when Kafka acknowledges', async () => {
    const { service, sent } = ingestWith(async () => undefined);
    const inputs = [anActionEventInput(), anActionEventInput({ type: 'action.executed' })];
    const answer = await service.ingest(tenantId, { events: inputs });
    expect(answer.accepted).toEqual(inputs.map((e) => ({ eventId: e.eventId })));
    const events = published(sent);
    expect(events).toEqual(inputs.map((input) => ({ ...input, tenantId, receivedAt: expect.any(String) })));
    expect(Date.parse(events[0].receivedAt)).not.toBeNaN();
  });

  it('should answer 400 tooLarge when redaction grows a valid event past the stored size limit', async () => {
    const { service, sent } = ingestWith(async () => undefined);
    // 300 secret-named keys holding 1 grow by 11 bytes each once redacted ("[REDACTED]").
    const fields = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`password${i}`, 1]));
    const event = anActionEventInput({ input: { fields, pad: '' } });
    const room = ACTION_EVENT_LIMITS.inputMaxBytes - Buffer.byteLength(JSON.stringify(event));
    (event.input as { pad: string }).pad = 'x'.repeat(room);
    const err = await service.ingest(tenantId, { events: [event] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, errors: [expect.objectContaining({ field: '/events/0', code: 'tooLarge' })] });
    expect(sent).toEqual([]);
  });

  it('should answer 503 ingest_overloaded with Retry-After, publishing nothing, when the events in progress would pass the budget', async () => {
    let acknowledge: () => void = () => undefined;
    const { service, sent } = ingestWith(() => new Promise<void>((resolve) => (acknowledge = resolve)), { maxPendingEvents: 3 });
    const first = service.ingest(tenantId, { events: [anActionEventInput(), anActionEventInput()] });
    const err = await service.ingest(tenantId, { events: [anActionEventInput(), anActionEventInput()] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 503, code: 'ingest_overloaded', headers: { 'Retry-After': '1' } });
    await new Promise((resolve) => setImmediate(resolve));
    acknowledge();
    await expect(first).resolves.toMatchObject({ accepted: [expect.anything(), expect.anything()] });
    expect(published(sent)).toHaveLength(2);
    // Answered requests give their events back to the budget.
    const again = service.ingest(tenantId, { events: [anActionEventInput(), anActionEventInput()] });
    await new Promise((resolve) => setImmediate(resolve));
    acknowledge();
    await expect(again).resolves.toMatchObject({ accepted: [expect.anything(), expect.anything()] });
  });

  it('should answer 503 kafka_unavailable, never 202, when Kafka refuses the events', async () => {
    const { service } = ingestWith(async () => Promise.reject(new Error('broker down')));
    await expect(service.ingest(tenantId, anActionEventInput())).rejects.toMatchObject({ status: 503, code: 'kafka_unavailable' });
  });
});
