export { createKafka, type KafkaConnectionOptions } from './kafka-client';
export { describeCluster, ensureTopics, ledgerTopics, type TopicSpec } from './topic-admin';
export { LedgerProducer, type OutgoingMessage } from './producer';
export { DlqPublisher, type DeadLetter } from './dlq';
export { BatchConsumerRunner, type BatchConsumerOptions, type PartitionBatch, type StoredOffset } from './batch-consumer.runner';
export type { Kafka, KafkaMessage } from 'kafkajs';
