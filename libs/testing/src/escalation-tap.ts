import { ESCALATIONS_TOPIC, type EscalationEvent } from '@agent-ledger/contracts';
import { BatchConsumerRunner, createKafka } from '@agent-ledger/kafka';
import type { LedgerSystem } from './ledger-system';
import { uniqueSuffix } from './stack-env';

/**
 * A downstream subscriber of the escalations topic, in its own group from the topic's end when it
 * starts: the distinct escalation events of one tenant, in arrival order. Messages are at-least-once
 * with deterministic ids (consumers drop repeats by eventId), so a message seen again with the same
 * id is the same event and is dropped here; a second event for one trigger would have a new id.
 */
export class EscalationTap {
  readonly received: EscalationEvent[] = [];
  private readonly seenIds = new Set<string>();
  private runner?: BatchConsumerRunner;

  /** `tenantId` is read at each message: the tenant may be created after the tap. */
  constructor(
    private readonly system: LedgerSystem,
    private readonly tenantId: () => string,
  ) {}

  async start(): Promise<void> {
    const groupId = `downstream-${uniqueSuffix()}`;
    await this.system.startKafkaGroupAtTopicEnd(groupId, ESCALATIONS_TOPIC);
    const kafka = createKafka({ brokers: this.system.stack.kafkaBrokers, clientId: `escalation-tap-${this.system.suffix}` });
    this.runner = new BatchConsumerRunner(kafka, {
      groupId,
      topics: [ESCALATIONS_TOPIC],
      handleBatch: async (b) => {
        for (const m of b.messages) {
          const e = JSON.parse(m.value!.toString()) as EscalationEvent;
          if (e.tenantId !== this.tenantId() || this.seenIds.has(e.eventId)) continue;
          this.seenIds.add(e.eventId);
          this.received.push(e);
        }
      },
    });
    await this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner?.stop();
  }

  /** The events of one session (or synthetic session id), in arrival order. */
  of(sessionId: string): EscalationEvent[] {
    return this.received.filter((e) => e.sessionId === sessionId);
  }
}
