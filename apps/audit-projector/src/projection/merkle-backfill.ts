import { Inject, Injectable, Optional, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { counter, createLogger, gauge } from '@agent-ledger/telemetry';
import { CheckpointService } from '../checkpoints/checkpoint.service';
import { planChunk } from './merkle-backfill-plan';
import { MerkleBackfillRepository } from './merkle-backfill.repository';
import { MerkleWriter } from './merkle-writer';
import { ProjectionRepository } from './projection.repository';

/** How the backfill paces itself. */
export interface MerkleBackfillOptions {
  /** Rows read per chunk (one transaction, one range). */
  chunkRows: number;
  /** Pause between two chunks: live batches take the tree lock and the CPU in between. */
  pauseMs: number;
  /** Wait before looking again when the ranges left are held by another projector, or after a failure. */
  idleMs: number;
}

export const MERKLE_BACKFILL_OPTIONS = Symbol('MERKLE_BACKFILL_OPTIONS');
const DEFAULT_OPTIONS: MerkleBackfillOptions = { chunkRows: 2_000, pauseMs: 200, idleMs: 30_000 };

const pendingPositions = () =>
  gauge('ledger_merkle_backfill_pending', 'Chain positions still to be added to the Merkle trees by the backfill (an upper bound of the events: purged rows and rows with a leaf are skipped)');
const leavesAppended = () => counter('ledger_merkle_backfill_leaves_total', 'Leaves appended to the Merkle trees by the backfill (events stored before the tree existed)');

/** What one chunk did (after its transaction committed). */
export interface BackfillChunk {
  tenantId: string;
  partition: number;
  appended: number;
  /** Rows of the range that had a leaf already. */
  skipped: number;
  rangeDone: boolean;
  /** The tenant's tree size after the chunk (when it appended anything). */
  treeSize?: number;
}

/**
 * Appends the events stored before the Merkle tree existed to their tenants' trees (docs/proofs.md,
 * "Backfill"): the ranges of `merkle_backfill`, one chunk at a time, each chunk ONE transaction —
 * claim a range (SKIP LOCKED), read its next rows in chain order, move or delete the range, then lock
 * the tenant's tree and append the rows that have no leaf with the live batches' writer (same lock,
 * same statements): their leaves take the tree's next indexes. Runs in the background from startup,
 * a short pause between chunks, and stops when the table is empty; a failed or killed chunk rolls
 * back and is done again. Each chunk that grew a tree marks its tenant for a checkpoint, so a signed
 * tree head covers the backfilled events.
 */
@Injectable()
export class MerkleBackfill implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = createLogger(MerkleBackfill.name);
  private readonly options: MerkleBackfillOptions;
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private stopped = false;
  private announced = false;
  private appendedByThisProcess = 0;

  constructor(
    private readonly transactions: ProjectionRepository,
    private readonly statements: MerkleBackfillRepository,
    private readonly writer: MerkleWriter,
    private readonly checkpoints: CheckpointService,
    @Optional() @Inject(MERKLE_BACKFILL_OPTIONS) options?: Partial<MerkleBackfillOptions>,
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  /** Does one chunk of the first range no one else holds; `undefined` when there is none. */
  async runChunk(): Promise<BackfillChunk | undefined> {
    const chunk = await this.transactions.transaction(async (tx): Promise<BackfillChunk | undefined> => {
      const range = await this.statements.claimRange(tx);
      if (!range) return undefined;
      const plan = planChunk(range, await this.statements.nextRows(tx, range, this.options.chunkRows), this.options.chunkRows);
      await this.statements.advance(tx, range, plan.nextSeq);
      // The tree lock last: held, as in a live batch, from here to the commit.
      const [tree] = await this.writer.append(tx, range.partition, plan.append);
      return { tenantId: range.tenantId, partition: range.partition, appended: plan.append.length, skipped: plan.skipped, rangeDone: plan.nextSeq === undefined, treeSize: tree?.size };
    });
    if (!chunk) return undefined;
    if (chunk.appended) {
      leavesAppended().inc(chunk.appended);
      this.appendedByThisProcess += chunk.appended;
      this.checkpoints.recordTreeGrown(chunk.tenantId);
    }
    if (chunk.skipped) {
      this.log.warn({ ...chunk }, 'rows of a backfill range had a leaf already (the rows without one were not a prefix of the chain): skipped, not given a second leaf');
    }
    if (chunk.rangeDone) this.log.info({ ...chunk }, 'Merkle backfill range done');
    else this.log.debug({ ...chunk }, 'Merkle backfill chunk appended');
    return chunk;
  }

  /** Runs chunks until no range is left that another transaction does not hold; returns the leaves appended. */
  async drain(): Promise<number> {
    let appended = 0;
    for (let chunk = await this.runChunk(); chunk; chunk = await this.runChunk()) appended += chunk.appended;
    return appended;
  }

  /** Stops the background run after the chunk in flight (whose transaction commits or rolls back as a whole). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.step().finally(() => (this.inFlight = undefined));
    }, delayMs);
    this.timer.unref();
  }

  /** One chunk of the background run, then the next one scheduled while work remains. */
  private async step(): Promise<void> {
    let next: number | undefined;
    try {
      const chunk = await this.runChunk();
      const pending = await this.statements.pending();
      pendingPositions().set(pending.positions);
      if (!this.announced && (chunk || pending.ranges)) {
        this.announced = true;
        this.log.info({ first: chunk, left: pending }, 'Merkle backfill running: appending the events stored before the tree existed');
      }
      if (chunk) next = this.options.pauseMs;
      else if (pending.ranges) next = this.options.idleMs; // held by another projector: look again later
      else if (this.announced) this.log.info({ appendedByThisProcess: this.appendedByThisProcess }, 'Merkle backfill complete: every stored event has its leaf');
    } catch (err) {
      this.log.warn({ err, retryInMs: this.options.idleMs }, 'Merkle backfill chunk failed (rolled back); retrying');
      next = this.options.idleMs;
    }
    if (next !== undefined) this.schedule(next);
  }
}
