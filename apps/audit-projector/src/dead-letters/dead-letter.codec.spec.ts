import {
  ACTION_EVENTS_DLQ_TOPIC,
  ACTION_EVENTS_TOPIC,
  DLQ_AT_HEADER,
  DLQ_CODE_HEADER,
  DLQ_GROUP_HEADER,
  DLQ_REASON_HEADER,
  DLQ_SOURCE_OFFSET_HEADER,
  DLQ_SOURCE_PARTITION_HEADER,
  DLQ_SOURCE_TOPIC_HEADER,
  DLQ_TENANT_HEADER,
  DLQ_VALUE_OMITTED_HEADER,
  ESCALATIONS_DLQ_TOPIC,
  ESCALATIONS_TOPIC,
  SCHEMA_VERSION_HEADER,
} from '@agent-ledger/contracts';
import type { KafkaMessage } from '@agent-ledger/kafka';
import { decodeDeadLetter } from './dead-letter.codec';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const OTHER = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const msg = (value: string | null, headers: Record<string, string>, key: string | null = null): KafkaMessage =>
  ({ key: key === null ? null : Buffer.from(key), value: value === null ? null : Buffer.from(value), offset: '42', timestamp: '1700000000000', attributes: 0, headers, size: 0 }) as unknown as KafkaMessage;

const legacy = { [DLQ_REASON_HEADER]: 'schema: schema action-event.v1: /tool/riskLevel enum: must be one of', [DLQ_SOURCE_TOPIC_HEADER]: ACTION_EVENTS_TOPIC, [DLQ_SOURCE_PARTITION_HEADER]: '3', [DLQ_SOURCE_OFFSET_HEADER]: '1234' };

describe(decodeDeadLetter.name, () => {
  it('should fall back to the reason prefix, the given group and the value tenant when only the original headers are present', () => {
    const value = JSON.stringify({ eventId: 'e-1', type: 'action.attempted', tenantId: TENANT });

    const row = decodeDeadLetter(ACTION_EVENTS_DLQ_TOPIC, 1, msg(value, { ...legacy, [SCHEMA_VERSION_HEADER]: 'action-event.v1' }, `${OTHER}:a-1`), 'projector');

    expect(row).toMatchObject({
      tenantCandidate: TENANT,
      consumerGroup: 'projector',
      sourceTopic: ACTION_EVENTS_TOPIC,
      sourcePartition: 3,
      sourceOffset: '1234',
      dlqTopic: ACTION_EVENTS_DLQ_TOPIC,
      dlqPartition: 1,
      dlqOffset: '42',
      eventId: 'e-1',
      eventType: 'action.attempted',
      errorClass: 'invalid',
      reasonCode: 'schema',
      messageKey: `${OTHER}:a-1`,
      messageHeaders: { [SCHEMA_VERSION_HEADER]: 'action-event.v1' },
      valueBytes: Buffer.byteLength(value),
      deadLetteredAt: new Date(1_700_000_000_000),
    });
    expect(row.messageValue?.toString()).toBe(value);
  });

  it('should take the tenant from the key prefix when the value does not parse', () => {
    const row = decodeDeadLetter(ACTION_EVENTS_DLQ_TOPIC, 0, msg('{"type":', { [DLQ_REASON_HEADER]: 'invalid_json: invalid JSON' }, `${TENANT}:a-1`), 'g');

    expect(row).toMatchObject({ tenantCandidate: TENANT, eventId: null, eventType: null, reasonCode: 'invalid_json', sourcePartition: -1, sourceOffset: '-1' });
  });

  it('should have no tenant when nothing names a uuid', () => {
    expect(decodeDeadLetter(ACTION_EVENTS_DLQ_TOPIC, 0, msg(null, legacy, 'not-a-uuid:x'), 'g').tenantCandidate).toBeNull();
  });

  it('should use the new headers when present and drop every dead-letter header from the stored ones', () => {
    const headers = {
      ...legacy,
      [DLQ_GROUP_HEADER]: 'notifier',
      [DLQ_CODE_HEADER]: 'data_error',
      'x-ledger-dlq-error-class': 'data',
      [DLQ_AT_HEADER]: '2026-01-02T03:04:05.000Z',
      [DLQ_TENANT_HEADER]: OTHER,
      traceparent: '00-abc-def-01',
    };

    const row = decodeDeadLetter(ESCALATIONS_DLQ_TOPIC, 2, msg(JSON.stringify({ tenantId: TENANT }), headers), 'projector');

    expect(row).toMatchObject({ consumerGroup: 'notifier', reasonCode: 'data_error', errorClass: 'data', tenantCandidate: OTHER, deadLetteredAt: new Date('2026-01-02T03:04:05.000Z') });
    expect(row.messageHeaders).toEqual({ traceparent: '00-abc-def-01' });
  });

  it('should keep no value and report the original size when the value was omitted for size', () => {
    const row = decodeDeadLetter(ESCALATIONS_DLQ_TOPIC, 0, msg('', { [DLQ_REASON_HEADER]: 'schema: too big', [DLQ_VALUE_OMITTED_HEADER]: '2000000' }), 'g');

    expect(row).toMatchObject({ messageValue: null, valueBytes: 2_000_000, sourceTopic: ESCALATIONS_TOPIC });
  });

  it('should fall back to -1 when the source position does not fit PostgreSQL integers', () => {
    const headers = { ...legacy, [DLQ_SOURCE_PARTITION_HEADER]: '99999999999', [DLQ_SOURCE_OFFSET_HEADER]: '9999999999999999999' };

    expect(decodeDeadLetter(ACTION_EVENTS_DLQ_TOPIC, 0, msg(null, headers), 'g')).toMatchObject({ sourcePartition: -1, sourceOffset: '-1' });
  });

  it('should replace NUL characters in text fields so PostgreSQL can store them', () => {
    const row = decodeDeadLetter(ACTION_EVENTS_DLQ_TOPIC, 0, msg(JSON.stringify({ eventId: 'a\u0000b' }), { ...legacy, 'x-h': 'v\u0000' }, 'k\u0000'), 'g');

    expect([row.eventId, row.messageKey, row.messageHeaders['x-h']].join('')).not.toContain('\u0000');
  });
});
