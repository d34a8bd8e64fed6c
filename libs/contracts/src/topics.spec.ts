import * as contracts from './index';
import { actionEventKey, escalationEventKey } from './index';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

describe(actionEventKey.name, () => {
  it('should key by tenant and action when the event has an actionId', () => {
    expect(actionEventKey(TENANT, { actionId: 'act_1', sessionId: 'sess_1', eventId: 'e1' })).toBe(`${TENANT}:act_1`);
  });

  it('should key by tenant and session when the event has no actionId', () => {
    expect(actionEventKey(TENANT, { sessionId: 'sess_1', eventId: 'e1' })).toBe(`${TENANT}:sess_1`);
  });

  it('should key by tenant and event when the event has neither actionId nor sessionId', () => {
    expect(actionEventKey(TENANT, { eventId: 'e1' })).toBe(`${TENANT}:e1`);
  });

  it('should use the id as given when it is passed directly', () => {
    expect(actionEventKey(TENANT, 'act_9')).toBe(`${TENANT}:act_9`);
  });
});

describe(escalationEventKey.name, () => {
  it('should key by tenant and session', () => {
    expect(escalationEventKey(TENANT, 'sess_1')).toBe(`${TENANT}:sess_1`);
  });
});

describe('released names', () => {
  // These names are in flight in Kafka and Redis: renaming one strands messages and jobs.
  it('should keep every released topic, group, queue and header name when the code changes', () => {
    expect({
      ACTION_EVENTS_TOPIC: contracts.ACTION_EVENTS_TOPIC,
      ACTION_EVENTS_DLQ_TOPIC: contracts.ACTION_EVENTS_DLQ_TOPIC,
      ESCALATIONS_TOPIC: contracts.ESCALATIONS_TOPIC,
      CHECKPOINTS_TOPIC: contracts.CHECKPOINTS_TOPIC,
      AUDIT_PROJECTOR_GROUP: contracts.AUDIT_PROJECTOR_GROUP,
      ESCALATION_WORKER_GROUP: contracts.ESCALATION_WORKER_GROUP,
      NOTIFIER_GROUP: contracts.NOTIFIER_GROUP,
      EMAIL_QUEUE: contracts.EMAIL_QUEUE,
      WEBHOOK_QUEUE: contracts.WEBHOOK_QUEUE,
      DLQ_REASON_HEADER: contracts.DLQ_REASON_HEADER,
      DLQ_SOURCE_TOPIC_HEADER: contracts.DLQ_SOURCE_TOPIC_HEADER,
      DLQ_SOURCE_PARTITION_HEADER: contracts.DLQ_SOURCE_PARTITION_HEADER,
      DLQ_SOURCE_OFFSET_HEADER: contracts.DLQ_SOURCE_OFFSET_HEADER,
      SCHEMA_VERSION_HEADER: contracts.SCHEMA_VERSION_HEADER,
    }).toEqual({
      ACTION_EVENTS_TOPIC: 'agent-ledger.action-events.v1',
      ACTION_EVENTS_DLQ_TOPIC: 'agent-ledger.action-events.dlq.v1',
      ESCALATIONS_TOPIC: 'agent-ledger.escalations.v1',
      CHECKPOINTS_TOPIC: 'agent-ledger.checkpoints.v1',
      AUDIT_PROJECTOR_GROUP: 'audit-projector',
      ESCALATION_WORKER_GROUP: 'escalation-worker',
      NOTIFIER_GROUP: 'notifier',
      EMAIL_QUEUE: 'agent-ledger.notifications.email',
      WEBHOOK_QUEUE: 'agent-ledger.notifications.webhook',
      DLQ_REASON_HEADER: 'x-ledger-dlq-reason',
      DLQ_SOURCE_TOPIC_HEADER: 'x-ledger-dlq-source-topic',
      DLQ_SOURCE_PARTITION_HEADER: 'x-ledger-dlq-source-partition',
      DLQ_SOURCE_OFFSET_HEADER: 'x-ledger-dlq-source-offset',
      SCHEMA_VERSION_HEADER: 'x-ledger-schema',
    });
  });
});

describe(contracts.topicPrefixOf.name, () => {
  it('should be empty when the variable is unset or empty', () => {
    expect(contracts.topicPrefixOf(undefined)).toBe('');
    expect(contracts.topicPrefixOf('')).toBe('');
  });

  it('should accept the characters of a topic name', () => {
    expect(contracts.topicPrefixOf('staging.eu-1_')).toBe('staging.eu-1_');
  });

  it.each([['a space', 'my ledger.'], ['a slash', 'a/b.'], ['a colon', 'a:b'], ['65 characters', 'x'.repeat(65)]])('should refuse a prefix with %s, naming the variable', (_what, value) => {
    expect(() => contracts.topicPrefixOf(value)).toThrow(/KAFKA_TOPIC_PREFIX must be/);
  });

  it('should put the prefix of the environment before every topic and default group of a process', () => {
    const before = process.env.KAFKA_TOPIC_PREFIX;
    process.env.KAFKA_TOPIC_PREFIX = 'staging.';
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const prefixed = require('./topics') as typeof contracts;
        expect([prefixed.ACTION_EVENTS_TOPIC, prefixed.ESCALATIONS_DLQ_TOPIC, prefixed.CHECKPOINTS_TOPIC, prefixed.AUDIT_PROJECTOR_GROUP]).toEqual([
          'staging.agent-ledger.action-events.v1',
          'staging.agent-ledger.escalations.dlq.v1',
          'staging.agent-ledger.checkpoints.v1',
          'staging.audit-projector',
        ]);
        expect(prefixed.DLQ_TOPIC_OF['staging.agent-ledger.action-events.v1']).toBe('staging.agent-ledger.action-events.dlq.v1');
        // Queue names live in Redis, whose own prefixes separate ledgers: they do not change.
        expect(prefixed.EMAIL_QUEUE).toBe(contracts.EMAIL_QUEUE);
      });
    } finally {
      if (before === undefined) delete process.env.KAFKA_TOPIC_PREFIX;
      else process.env.KAFKA_TOPIC_PREFIX = before;
    }
  });
});
