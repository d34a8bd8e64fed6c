/* Creates the ledger's topics if missing: `node dist/libs/kafka/src/cli/ensure-topics.js`. */
import { ConfigValidationError, kafkaSecurityOf } from '@agent-ledger/config';
import { createKafka } from '../kafka-client';
import { ensureTopics, ledgerTopics } from '../topic-admin';
import { loadTopicsConfig } from '../config/topics.config';

async function main(): Promise<void> {
  const cfg = loadTopicsConfig();
  const kafka = createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: 'agent-ledger-topics', security: kafkaSecurityOf(cfg) });
  const result = await ensureTopics(
    kafka,
    ledgerTopics({
      actionEventPartitions: cfg.ACTION_EVENTS_PARTITIONS,
      escalationPartitions: cfg.ESCALATIONS_PARTITIONS,
      replicationFactor: cfg.KAFKA_REPLICATION_FACTOR,
    }),
  );
  process.stdout.write(`topics created: ${result.created.join(', ') || 'none'}; already present: ${result.existing.length}\n`);
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigValidationError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
