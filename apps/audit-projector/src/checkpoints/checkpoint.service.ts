import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { checkpointsCodec, checkpointSigningPayload, type Checkpoint } from '@agent-ledger/contracts';
import { signCheckpoint } from '@agent-ledger/integrity';
import { LedgerProducer } from '@agent-ledger/kafka';
import { counter, createLogger } from '@agent-ledger/telemetry';
import { PROJECTOR_SETTINGS, type ProjectorSettings } from '../shared/projector-settings';
import { CheckpointRepository } from './checkpoint.repository';

const checkpointsWritten = () => counter('ledger_projector_checkpoints_total', 'Signed checkpoints stored', ['outcome']);

/** How often chains that moved without a checkpoint (another instance, a crash, a restart) are looked for, in checkpoint periods. */
const SWEEP_EVERY_PERIODS = 10;
const MIN_SWEEP_MS = 5_000;

/**
 * Writes signed checkpoints over all chain heads of a tenant: after CHECKPOINT_EVERY_EVENTS new
 * events of the tenant, or every CHECKPOINT_EVERY_MS for tenants with any new event. Runs after the
 * batch transactions, reading committed heads, never inside them. One run at a time. A failed write
 * is retried at the next tick; every SWEEP_EVERY_PERIODS periods (and at start) the tenants whose
 * latest checkpoint (signed with this key) does not sign their heads are looked for, so chains moved
 * by an instance that crashed or stopped before its checkpoint get one too.
 */
@Injectable()
export class CheckpointService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = createLogger(CheckpointService.name);
  /** New events per tenant since its last checkpoint (this process's view). */
  private readonly pending = new Map<string, number>();
  private timer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private rerun?: { all: boolean };

  constructor(
    private readonly repository: CheckpointRepository,
    private readonly producer: LedgerProducer,
    @Inject(PROJECTOR_SETTINGS) private readonly settings: ProjectorSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(true), this.settings.checkpointEveryMs);
    this.timer.unref();
    this.sweeper = setInterval(() => void this.sweep(), Math.max(MIN_SWEEP_MS, this.settings.checkpointEveryMs * SWEEP_EVERY_PERIODS));
    this.sweeper.unref();
    void this.sweep();
  }

  /** Marks the tenants with a chain head no checkpoint signs as due at the next tick. */
  async sweep(): Promise<void> {
    try {
      for (const t of await this.repository.tenantsAheadOfCheckpoint(this.settings.signingKey.keyId)) this.pending.set(t, Math.max(1, this.pending.get(t) ?? 0));
    } catch (err) {
      this.log.warn({ err }, 'could not look for chains ahead of their checkpoint; looking again later');
    }
  }

  /** Called after a batch committed, with the number of events appended per tenant. */
  recordAppended(perTenant: Map<string, number>): void {
    let due = false;
    for (const [tenantId, n] of perTenant) {
      const total = (this.pending.get(tenantId) ?? 0) + n;
      this.pending.set(tenantId, total);
      if (total >= this.settings.checkpointEveryEvents) due = true;
    }
    if (due) void this.run(false);
  }

  /**
   * Called after the Merkle backfill grew a tenant's tree (its chain heads did not move): the tenant
   * is checkpointed at the next tick, so a signed tree head covers the backfilled events.
   */
  recordTreeGrown(tenantId: string): void {
    this.pending.set(tenantId, Math.max(1, this.pending.get(tenantId) ?? 0));
  }

  /** Checkpoints the due tenants (all with pending events when `all`). */
  run(all: boolean): Promise<void> {
    if (this.inFlight) {
      this.rerun = { all: all || !!this.rerun?.all };
      return this.inFlight;
    }
    this.inFlight = this.writeDue(all).finally(() => {
      this.inFlight = undefined;
      const again = this.rerun;
      this.rerun = undefined;
      if (again) void this.run(again.all);
    });
    return this.inFlight;
  }

  private async writeDue(all: boolean): Promise<void> {
    const due = [...this.pending].filter(([, n]) => n > 0 && (all || n >= this.settings.checkpointEveryEvents));
    for (const [tenantId, n] of due) {
      this.pending.delete(tenantId); // events appended from now on count towards the next one
      try {
        await this.writeCheckpoint(tenantId);
      } catch (err) {
        this.pending.set(tenantId, (this.pending.get(tenantId) ?? 0) + n);
        checkpointsWritten().inc({ outcome: 'failed' });
        this.log.warn({ err, tenantId }, 'checkpoint failed; retrying at the next tick');
      }
    }
  }

  /** Signs the tenant's current heads, stores the checkpoint, then publishes it (nothing when the latest one signs them already). */
  async writeCheckpoint(tenantId: string): Promise<Checkpoint | undefined> {
    const cp = await this.repository.storeOverHeads(tenantId, (heads, createdAt, tree) => {
      const checkpoint = signCheckpoint({ checkpointId: randomUUID(), tenantId, createdAt, heads, tree }, this.settings.signingKey);
      return { checkpoint, payload: checkpointSigningPayload(checkpoint).toString('utf8') };
    });
    if (!cp) return undefined;
    checkpointsWritten().inc({ outcome: 'stored' });
    // Publication is for outside witnesses; the stored row is what verification uses. A failed
    // publication is logged, and the next checkpoint (which covers everything) is published again.
    await this.producer
      .send(checkpointsCodec.topic, [checkpointsCodec.encode(cp)])
      .catch((err) => this.log.warn({ err, tenantId, checkpointId: cp.checkpointId }, 'checkpoint stored but not published'));
    return cp;
  }

  /** After the consumer stopped: one last checkpoint for what this process appended. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    await this.inFlight?.catch(() => undefined);
    await this.run(true).catch(() => undefined);
  }
}
