import { Controller, Inject, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CHECKPOINTS_TOPIC, type Checkpoint } from '@agent-ledger/contracts';
import type { ConsumerBatch } from '@agent-ledger/kafka';
import { ConsumerRegistry } from '@agent-ledger/runtime';
import { counter, createLogger, gauge } from '@agent-ledger/telemetry';
import type { WitnessConfig } from '../config/witness.config';
import { WITNESS_CONFIG } from '../shared/witness-config.token';
import { CheckpointStore, type RefusedRecord } from '../store/checkpoint-store';
import { admitCheckpoint } from '../verification/checkpoint-admission';
import { WitnessWebhook } from '../webhook/witness-webhook.service';

const checkpointsSeen = () => counter('ledger_witness_checkpoints_total', 'Checkpoints read by the witness, by outcome', ['outcome']);
const refusedTotal = () => counter('ledger_witness_refused_total', 'Messages of the checkpoints topic not stored as trusted, by code', ['code']);
const conflictsTotal = () => counter('ledger_witness_conflicts_total', 'Contradictions found between a trusted checkpoint and held ones (rollback, fork)', ['kind']);
const tenantsWithConflicts = () => gauge('ledger_witness_tenants_with_conflicts', 'Tenants with at least one conflicting checkpoint recorded');

/**
 * Consumes the checkpoints topic in the witness's group (hosted by the Kafka consumer transport,
 * once the store is open). Each message is
 * decoded and its signature checked against the trusted keys; trusted checkpoints are appended to
 * the store (duplicates skipped, contradictions recorded apart), refused ones to the refused log.
 * The slice resolves — and the host commits its offsets — only once the store has fsynced it.
 * Every failure of the handler is a storage failure: it is retried, never skipped.
 */
@Controller()
export class CheckpointsConsumer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(CheckpointsConsumer.name);

  constructor(
    @Inject(WITNESS_CONFIG) private readonly config: WitnessConfig,
    private readonly store: CheckpointStore,
    private readonly webhook: WitnessWebhook,
    consumers: ConsumerRegistry,
  ) {
    consumers.define({
      name: 'checkpoints consumer',
      health: 'consumer',
      groupId: config.CHECKPOINT_WITNESS_GROUP_ID,
      topics: [CHECKPOINTS_TOPIC],
      fromBeginning: true,
      sessionTimeoutMs: config.CHECKPOINT_WITNESS_SESSION_TIMEOUT_MS,
      poison: 'skip',
      classify: () => 'transient',
    });
  }

  /** Before the consumer starts (the transport starts it after the application's bootstrap). */
  async onApplicationBootstrap(): Promise<void> {
    await this.store.open();
    tenantsWithConflicts().set(this.store.tenantsWithConflicts);
  }

  @EventPattern(CHECKPOINTS_TOPIC)
  async handleBatch(@Payload() batch: ConsumerBatch): Promise<void> {
    const trusted: Checkpoint[] = [];
    const refused: RefusedRecord[] = [];
    for (const message of batch.messages) {
      const r = admitCheckpoint(message, this.config.trustedKeys, { topic: batch.topic, partition: batch.partition, receivedAt: new Date().toISOString() });
      if ('checkpoint' in r) trusted.push(r.checkpoint);
      else refused.push(r.refused);
    }
    const outcomes = await this.store.append(trusted, refused);
    outcomes.forEach((o, i) => {
      checkpointsSeen().inc({ outcome: o.outcome });
      if (o.outcome === 'stored') this.webhook.deliver(trusted[i]);
      if (o.outcome === 'conflict') {
        for (const c of o.conflicts) conflictsTotal().inc({ kind: c.kind });
        this.log.error({ tenantId: trusted[i].tenantId, checkpointId: trusted[i].checkpointId, conflicts: o.conflicts }, 'checkpoint contradicts checkpoints already witnessed');
      }
    });
    for (const r of refused) {
      checkpointsSeen().inc({ outcome: 'refused' });
      refusedTotal().inc({ code: r.code });
      this.log.warn({ code: r.code, tenantId: r.tenantId, checkpointId: r.checkpointId, partition: r.partition, offset: r.offset }, 'checkpoint refused');
    }
    tenantsWithConflicts().set(this.store.tenantsWithConflicts);
  }

  /** After the consumer stopped (the service's shutdown stops it first). */
  async onModuleDestroy(): Promise<void> {
    await this.webhook.drain();
  }
}
