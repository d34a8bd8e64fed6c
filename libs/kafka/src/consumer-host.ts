import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { counter, createLogger, withConsumerBatchSpan } from '@agent-ledger/telemetry';
import type { ConsumerHostOptions, Rejection } from './consumer-host.types';
import { DlqPublisher } from './dlq';
import { classifyError, errorCode, errorReason, type ErrorClass } from './error-classification';
import { GroupMembership } from './group-membership';
import { LagMonitor } from './lag-monitor';
import { OffsetCommits } from './offset-commits';
import { PartitionHealth } from './partition-health';
import { applyInOrder } from './poison-isolation';
import { LedgerProducer } from './producer';

export type { ConsumerBatch, ConsumerHostOptions, PartitionBatch, Rejection, StoredOffset } from './consumer-host.types';

/**
 * How long a fetch waits for messages when there are none (kafkajs's default is 5 s). A fetch returns
 * as soon as a message is there, so this bounds only idle waits, and with them how long a SIGTERM or
 * a rebalance waits for the fetch in flight before the member leaves or rejoins.
 */
export const FETCH_MAX_WAIT_MS = 1_000;

const skippedMessages = () =>
  counter('ledger_consumer_skipped_total', 'Messages a consumer with poison=skip could not apply and left behind', ['group', 'topic', 'code']);

type State = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped';

/**
 * Hosts one kafkajs consumer group member with eachBatch: starts in the background with backoff
 * while Kafka is unreachable; applies each partition's messages in order with poison isolation
 * (see applyInOrder) and dead-lettering; heartbeats while a batch runs, so a long slice keeps the
 * membership; after a membership error ends the rest of the fetch at once so kafkajs rejoins (and
 * recreates the consumer when kafkajs gives up or stays out of the group); reports readiness
 * (running, no stuck partition) and liveness (not down, and not losing its membership again and
 * again, longer than a bound); commits offsets at most once per interval (see OffsetCommits); on stop
 * lets the slice in flight finish, commits, and leaves the group.
 */
export class ConsumerHost {
  private readonly log = createLogger(ConsumerHost.name);
  private readonly health: PartitionHealth;
  private readonly dlq: DlqPublisher;
  private readonly ownProducer?: LedgerProducer;
  private readonly lag: LagMonitor;
  private consumer?: Consumer;
  private state: State = 'idle';
  private starting?: Promise<void>;
  private joinedAt?: number;
  private outOfGroupSince?: number;
  private downSince?: number;
  private hasRun = false;
  private readonly membership = new GroupMembership();
  private batchesInFlight = 0;
  private assignment: { topic: string; partitions: number[] }[] = [];
  private watchdog?: NodeJS.Timeout;
  private commits: OffsetCommits;

  constructor(private readonly kafka: Kafka, private readonly opts: ConsumerHostOptions) {
    this.commits = this.newCommits();
    this.health = new PartitionHealth(opts.groupId, opts.stuckAfterMs ?? 60_000);
    if (opts.dlq) this.dlq = opts.dlq;
    else {
      this.ownProducer = new LedgerProducer(kafka);
      this.dlq = new DlqPublisher(this.ownProducer, { group: opts.groupId });
    }
    this.lag = new LagMonitor(kafka, opts.groupId, this.health);
  }

  get groupId(): string {
    return this.opts.groupId;
  }

  get isRunning(): boolean {
    return this.state === 'running';
  }

  get assigned(): { topic: string; partitions: number[] }[] {
    return this.assignment;
  }

  /** Starts in the background (retrying with backoff until Kafka answers); returns at once. */
  start(): void {
    if (this.state !== 'idle') return;
    this.state = 'starting';
    this.starting = this.startWithBackoff();
    this.watchdog = setInterval(() => void this.tick(), this.opts.lagPollMs ?? 10_000);
    this.watchdog.unref();
  }

  /** Throws (naming the group and partitions) unless the consumer has joined its group, is in it, and has no stuck partition. */
  async checkReady(): Promise<void> {
    const name = `${this.opts.name} (group ${this.opts.groupId})`;
    if (this.state !== 'running') throw new Error(`${name} is not running`);
    if (this.joinedAt === undefined) throw new Error(`${name} has not joined its group yet`);
    const outFor = this.outOfGroupSince === undefined ? 0 : Date.now() - this.outOfGroupSince;
    if (outFor > this.rejoinAfterMs) throw new Error(`${name} has been out of its group for ${Math.round(outFor / 1000)} s`);
    const stuck = this.health.stuck();
    if (stuck.length) throw new Error(`${name} stuck: ${stuck.map((s) => `${s.topic}/${s.partition} (${s.why})`).join(', ')}`);
  }

  /**
   * Throws when the consumer ran, went down, and could not be brought back for longer than the
   * bound, or has kept losing its group membership without committing a batch for that long.
   */
  async checkLive(): Promise<void> {
    const bound = this.opts.livenessAfterMs ?? 120_000;
    const name = `${this.opts.name} (group ${this.opts.groupId})`;
    if (this.hasRun && this.downSince !== undefined && Date.now() - this.downSince > bound) {
      throw new Error(`${name} has been down for ${Math.round((Date.now() - this.downSince) / 1000)} s`);
    }
    const unsettled = this.membership.unsettledFor();
    if (unsettled > bound) throw new Error(`${name} has kept losing its group membership without committing a batch for ${Math.round(unsettled / 1000)} s`);
  }

  /** Lets the slice in flight finish, commits what is done, leaves the group. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopping';
    clearInterval(this.watchdog);
    await Promise.race([this.starting?.catch(() => undefined), sleep(5_000)]);
    // No slice starts once stopping: wait for those in flight, then commit what they resolved.
    const until = Date.now() + this.sessionTimeoutMs;
    while (this.batchesInFlight > 0 && Date.now() < until) await sleep(20);
    await this.commits.flush();
    this.commits.stop();
    await this.consumer?.disconnect().catch((err) => this.log.warn({ err, groupId: this.opts.groupId }, 'leaving the group'));
    this.consumer = undefined;
    await this.lag.close();
    await this.ownProducer?.disconnect();
    this.health.clear();
    this.state = 'stopped';
  }

  private get sessionTimeoutMs(): number {
    return this.opts.sessionTimeoutMs ?? 30_000;
  }

  private get heartbeatMs(): number {
    return Math.min(3_000, Math.floor(this.sessionTimeoutMs / 3));
  }

  private get rejoinAfterMs(): number {
    return Math.max(2 * this.sessionTimeoutMs, 30_000);
  }

  private async startWithBackoff(): Promise<void> {
    let delay = 1_000;
    while (this.state === 'starting') {
      const consumer = this.createConsumer();
      this.consumer = consumer;
      // kafkajs joins the group inside run(): GROUP_JOIN clears this before run() resolves.
      this.outOfGroupSince ??= Date.now();
      try {
        await consumer.connect();
        for (const topic of this.opts.topics) await consumer.subscribe({ topic, fromBeginning: this.opts.fromBeginning ?? true });
        await consumer.run({
          // Offsets are committed once per interval (OffsetCommits), not after every batch.
          autoCommit: false,
          autoCommitInterval: this.commits.intervalMs,
          eachBatchAutoResolve: false,
          partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
          eachBatch: (payload) => this.eachBatch(payload, consumer),
        });
        if (this.state !== 'starting') return;
        this.state = 'running';
        this.hasRun = true;
        this.downSince = undefined;
        this.log.info({ groupId: this.opts.groupId, topics: this.opts.topics }, `${this.opts.name} consuming`);
        return;
      } catch (err) {
        this.log.warn({ err, groupId: this.opts.groupId, retryInMs: delay }, `${this.opts.name} could not start`);
        await consumer.disconnect().catch(() => undefined);
        if (this.consumer === consumer) this.consumer = undefined;
        await sleep(delay);
        delay = Math.min(delay * 2, 10_000);
      }
    }
  }

  /** Replaces the consumer with a new one (a fresh member of the group). */
  private recreate(reason: string): void {
    if (this.state !== 'running') return;
    this.log.warn({ groupId: this.opts.groupId, reason }, `${this.opts.name} is recreating its consumer to rejoin the group`);
    this.state = 'starting';
    this.downSince ??= Date.now();
    const old = this.consumer;
    this.consumer = undefined;
    this.joinedAt = undefined;
    this.commits.stop();
    this.commits = this.newCommits();
    this.membership.reset();
    this.starting = (async () => {
      await old?.disconnect().catch(() => undefined);
      this.health.clear();
      await this.startWithBackoff();
    })();
  }

  private createConsumer(): Consumer {
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatMs,
      maxBytesPerPartition: this.opts.maxBytesPerPartition ?? 1_048_576,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 10_000 },
    });
    const { GROUP_JOIN, CRASH, REBALANCING } = consumer.events;
    consumer.on(GROUP_JOIN, (e) => {
      if (consumer !== this.consumer) return;
      this.assignment = Object.entries(e.payload.memberAssignment).map(([topic, partitions]) => ({ topic, partitions }));
      this.joinedAt = Date.now();
      this.membership.joined();
      this.outOfGroupSince = undefined;
      this.downSince = undefined;
      this.health.assigned(this.assignment);
      this.log.info({ groupId: this.opts.groupId, assignment: e.payload.memberAssignment }, `${this.opts.name} partitions assigned`);
      void this.seekToStoredOffsets(consumer);
    });
    consumer.on(REBALANCING, () => {
      this.outOfGroupSince ??= Date.now();
      // Before the rejoin replaces kafkajs' offset manager: what this generation resolved is committed, not redone.
      if (consumer === this.consumer) void this.commits.flush();
    });
    consumer.on(CRASH, (e) => {
      this.log.error({ err: e.payload.error, restart: e.payload.restart, groupId: this.opts.groupId }, `${this.opts.name} consumer crashed`);
      this.outOfGroupSince ??= Date.now();
      this.downSince ??= Date.now();
      if (!e.payload.restart && consumer === this.consumer) this.recreate(`crashed: ${errorReason(e.payload.error, 200)}`);
    });
    return consumer;
  }

  private async seekToStoredOffsets(consumer: Consumer): Promise<void> {
    if (!this.opts.storedOffsets) return;
    try {
      const offsets = await this.opts.storedOffsets(this.assignment);
      for (const o of offsets) consumer.seek(o);
      if (offsets.length) this.log.info({ groupId: this.opts.groupId, offsets }, 'resumed from stored offsets');
    } catch (err) {
      // Not fatal: the handler still ignores what is below its stored offsets.
      this.log.warn({ err }, 'could not read stored offsets; resuming from committed offsets');
    }
  }

  private newCommits(): OffsetCommits {
    return new OffsetCommits(this.opts.commitIntervalMs ?? 1_000, (err, when) => {
      // Not fatal: what is not committed is delivered again (handlers are idempotent). During a
      // rebalance the old generation's commits are refused; kafkajs rejoins on its own.
      const level = this.classify(err) === 'membership' ? 'debug' : 'warn';
      this.log[level]({ err, groupId: this.opts.groupId, when }, 'offset commit failed');
    });
  }

  private classify(err: unknown): ErrorClass {
    return this.opts.classify?.(err) ?? classifyError(err);
  }

  private async eachBatch(payload: EachBatchPayload, consumer: Consumer): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = payload;
    if (!batch.messages.length) return;
    // Only the current consumer's batches commit (a replaced one's may still be finishing).
    if (consumer === this.consumer) this.commits.use(payload);
    const { topic, partition, highWatermark } = batch;
    const where = { groupId: this.opts.groupId, topic, partition };
    // A membership lost while this batch waited in the fetch's queue: rejoin first (kafkajs does on this error).
    this.membership.assertMember();
    // kafkajs heartbeats only when asked: a slice longer than the session timeout would lose the
    // membership. The heartbeat is shared and sent at most once per interval; a membership error it
    // answers ends the batch after the slice in flight.
    const keeper = setInterval(() => {
      heartbeat().catch((err: unknown) => {
        if (this.classify(err) === 'membership') this.membershipLost(err, where);
      });
    }, this.heartbeatMs);
    this.batchesInFlight += 1;
    const deadLetter = async (rejections: Rejection[]) => {
      await this.dlq.publish(rejections.map((r) => ({ topic, partition, message: r.message, reason: r.reason, code: r.code, errorClass: r.errorClass ?? 'invalid', group: this.opts.groupId })));
    };
    try {
      // One CONSUMER span per batch, linked to each message's producer span; the handler runs inside it.
      await withConsumerBatchSpan({ topic, partition, groupId: this.opts.groupId, messages: batch.messages }, () => applyInOrder(batch.messages, {
        handle: (messages) => this.opts.handle({ topic, partition, messages, highWatermark, heartbeat, deadLetter }),
        classify: (err) => this.classify(err),
        deadLetter: async (message, err, cls) => {
          const code = errorCode(err, cls);
          if (this.opts.poison === 'skip') {
            this.log.error({ ...where, offset: message.offset, code, errorClass: cls, err }, 'message skipped: it cannot be applied');
            skippedMessages().inc({ group: this.opts.groupId, topic, code });
            return;
          }
          this.log.warn({ ...where, offset: message.offset, code, errorClass: cls, err }, 'message dead-lettered');
          await this.dlq.publish([{ topic, partition, message, reason: `${code}: ${errorReason(err)}`, code, errorClass: cls, group: this.opts.groupId }]);
          await this.opts.skipped?.({ topic, partition, offset: (BigInt(message.offset) + 1n).toString() });
        },
        progressed: async (lastOffset) => {
          resolveOffset(lastOffset);
          this.health.progressed(topic, partition, lastOffset, highWatermark);
          await this.commits.due();
          await heartbeat();
          this.membership.progressed();
        },
        failed: (err, cls, messages, retryInMs) => {
          this.health.failed(topic, partition);
          this.log.warn({ ...where, err, errorClass: cls, messages: messages.length, firstOffset: messages[0]?.offset, retryInMs }, 'batch failed; retrying');
        },
        shouldContinue: () => isRunning() && !isStale() && this.state === 'running' && !this.membership.isLost,
        heartbeat,
        sleep,
        maxAttempts: this.opts.maxAttempts ?? 5,
        backoff: this.opts.retry ?? { initialMs: 200, maxMs: 5_000 },
      }));
      this.membership.assertMember();
    } catch (err) {
      // Only membership errors and commit failures get here: what is not committed stays so, and
      // kafkajs rejoins (on a membership error) or retries.
      if (this.classify(err) === 'membership') this.membershipLost(err, where);
      throw err;
    } finally {
      clearInterval(keeper);
      this.batchesInFlight -= 1;
    }
  }

  /**
   * Records a lost membership once (every batch of the fetch then ends with it, and kafkajs
   * rejoins); three memberships lost within a minute without progress recreate the consumer.
   */
  private membershipLost(err: unknown, where: { groupId: string; topic: string; partition: number }): void {
    if (this.membership.isLost) return;
    const recent = this.membership.lost(err);
    this.outOfGroupSince ??= Date.now();
    this.log.warn({ ...where, err, recent }, 'lost the group membership; rejoining');
    if (recent >= 3) setImmediate(() => this.recreate(`lost the group membership ${recent} times within a minute without progress`));
  }

  /** Polls lag, and recreates a consumer that stayed out of its group too long. */
  private async tick(): Promise<void> {
    if (this.state !== 'running') return;
    if (this.joinedAt !== undefined && this.batchesInFlight === 0 && Date.now() - this.joinedAt > this.sessionTimeoutMs) this.membership.settled();
    if (this.outOfGroupSince !== undefined && Date.now() - this.outOfGroupSince > this.rejoinAfterMs) {
      this.recreate(`out of the group for ${Math.round((Date.now() - this.outOfGroupSince) / 1000)} s`);
      return;
    }
    await this.lag.poll(this.assignment).catch((err) => this.log.debug({ err }, 'lag poll failed'));
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms).unref());
