import { kafkaBrokers, kafkaSecurityEnv, loadConfig } from '@agent-ledger/config';
import { z } from 'zod';

export const topicsEnvSchema = z.object({
  KAFKA_BROKERS: kafkaBrokers,
  ...kafkaSecurityEnv,
  ACTION_EVENTS_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  ESCALATIONS_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(12),
  KAFKA_REPLICATION_FACTOR: z.coerce.number().int().min(1).max(10).default(1),
});

export const loadTopicsConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig('ensure-topics', topicsEnvSchema, env);
