export { createKafka, type KafkaConnectionOptions } from './kafka-client';
export { kafkaSecurityFromConfig, summarizeKafkaSecurity, type KafkaSecurity, type KafkaSecuritySummary } from './kafka-security';
export { describeCluster, ensureTopics, ledgerTopics, type TopicSpec } from './topic-admin';
export { LedgerProducer, producerStateLost, type OutgoingMessage } from './producer';
export { CoalescingSender, SenderBusyError, SendTimeoutError, type CoalescingSenderOptions } from './coalescing-sender';
export { DlqPublisher, tenantOf, type DeadLetter, type DeadLetterClass, type DlqPublisherOptions } from './dlq';
export { classifyError, DataError, TransientError, type ErrorClass } from './error-classification';
export {
  ConsumerHost,
  type ConsumerBatch,
  type ConsumerHostOptions,
  type PartitionBatch,
  type Rejection,
  type StoredOffset,
} from './consumer-host';
export { decodeMessage } from './message-reader';
export { BatchConsumerRunner, type BatchConsumerOptions } from './batch-consumer.runner';
export type { Kafka, KafkaMessage } from 'kafkajs';
