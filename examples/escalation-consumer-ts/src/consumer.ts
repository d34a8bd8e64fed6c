/*
 * A subscriber of agent-ledger.escalations.v1 (docs/events.md): reads every escalation event with
 * kafkajs in its own consumer group, validates it with the SDK's validator and prints it to stdout
 * as one JSON line. Diagnostics go to stderr.
 *
 *   KAFKA_BROKERS=127.0.0.1:9092 GROUP_ID=my-escalation-consumer npm start
 *
 * Delivery is at least once: an event may be printed again after a restart or a rebalance, so a
 * real handler drops repeats by `eventId` (and orders by the escalation's `count`/`occurredAt`).
 * A message it cannot read (another schema version, a value that breaks the contract) is reported
 * and skipped; the partition goes on.
 */
import {
  ESCALATION_EVENT_SCHEMA_VERSION,
  ESCALATIONS_TOPIC,
  SCHEMA_VERSION_HEADER,
  validateEscalationEvent,
  type EscalationEvent,
} from '@agent-ledger/sdk';
import { Kafka, logLevel, type KafkaMessage } from 'kafkajs';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean);
const groupId = process.env.GROUP_ID ?? 'escalation-consumer-example';
/** Where a new group starts: the current end of the topic unless FROM_BEGINNING=true. */
const fromBeginning = process.env.FROM_BEGINNING === 'true';

const note = (line: string) => process.stderr.write(`${line}\n`);

/** The event of one message, or why it is skipped (never the value: it may hold customer text). */
function readEscalation(message: KafkaMessage): { ok: true; event: EscalationEvent } | { ok: false; reason: string } {
  const version = message.headers?.[SCHEMA_VERSION_HEADER]?.toString();
  // Absent: a producer that predates the header. Another value: a schema this consumer does not know.
  if (version !== undefined && version !== ESCALATION_EVENT_SCHEMA_VERSION) return { ok: false, reason: `schema ${version}` };
  if (!message.value) return { ok: false, reason: 'empty value' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(message.value.toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid JSON' };
  }
  const result = validateEscalationEvent(parsed);
  if (!result.ok) return { ok: false, reason: result.errors.map((e) => `${e.pointer || '/'} ${e.code}`).join(', ') };
  return { ok: true, event: result.value };
}

async function main(): Promise<void> {
  const kafka = new Kafka({ clientId: 'escalation-consumer-example', brokers, logLevel: logLevel.WARN });
  const consumer = kafka.consumer({ groupId });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await consumer.disconnect();
  };
  process.once('SIGTERM', () => void stop());
  process.once('SIGINT', () => void stop());

  consumer.on(consumer.events.GROUP_JOIN, (e) => note(`consuming ${ESCALATIONS_TOPIC} as group ${e.payload.groupId}`));
  await consumer.connect();
  await consumer.subscribe({ topic: ESCALATIONS_TOPIC, fromBeginning });
  // eachMessage commits an offset once its handler returned: print first, then the offset moves on.
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      const read = readEscalation(message);
      if (read.ok) process.stdout.write(`${JSON.stringify(read.event)}\n`);
      else note(`skipped ${ESCALATIONS_TOPIC}[${partition}]@${message.offset}: ${read.reason}`);
    },
  });
}

main().catch((err) => {
  note(`escalation consumer failed: ${(err as Error).message}`);
  process.exit(1);
});
