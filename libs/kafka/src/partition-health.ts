import { gauge } from '@agent-ledger/telemetry';

const lagGauge = () => gauge('ledger_consumer_lag_messages', 'Messages behind the high watermark after the last batch', ['group', 'topic', 'partition']);
const stuckGauge = () =>
  gauge('ledger_consumer_partition_stuck', '1 while a partition is stuck: batches failing, or lag with no committed progress, for longer than the limit', ['group', 'topic', 'partition']);

interface PartitionState {
  /** First failure since the last success, if failing. */
  failingSince?: number;
  /** Last time the partition moved (assignment, applied batch, committed offset change). */
  progressAt: number;
  committed?: string;
  lag?: number;
  stuck: boolean;
}

export interface StuckPartition {
  topic: string;
  partition: number;
  why: string;
}

/**
 * Per-partition health of one consumer group member: a partition is stuck when its batches have
 * been failing for longer than `stuckAfterMs`, or when it has lag and its position has not moved
 * for that long. Exported as `ledger_consumer_partition_stuck` next to `ledger_consumer_lag_messages`.
 */
export class PartitionHealth {
  private readonly states = new Map<string, PartitionState>();

  constructor(private readonly group: string, private readonly stuckAfterMs: number) {}

  /** The current assignment: new partitions start with a clean clock, revoked ones are forgotten. */
  assigned(assignment: { topic: string; partitions: number[] }[], now = Date.now()): void {
    const keep = new Set<string>();
    for (const { topic, partitions } of assignment) {
      for (const p of partitions) {
        const k = key(topic, p);
        keep.add(k);
        if (this.states.has(k)) continue;
        this.states.set(k, { progressAt: now, stuck: false });
        stuckGauge().set(this.labels(topic, p), 0);
      }
    }
    for (const k of [...this.states.keys()]) {
      if (keep.has(k)) continue;
      const [topic, partition] = split(k);
      stuckGauge().set(this.labels(topic, partition), 0);
      this.states.delete(k);
    }
  }

  failed(topic: string, partition: number, now = Date.now()): void {
    const s = this.state(topic, partition, now);
    s.failingSince ??= now;
  }

  /** Messages up to `lastOffset` were applied or dead-lettered. */
  progressed(topic: string, partition: number, lastOffset: string, highWatermark: string | undefined, now = Date.now()): void {
    const s = this.state(topic, partition, now);
    s.failingSince = undefined;
    s.progressAt = now;
    if (highWatermark !== undefined) {
      const lag = Number(BigInt(highWatermark) - BigInt(lastOffset) - 1n);
      s.lag = lag < 0 ? 0 : lag;
      lagGauge().set(this.labels(topic, partition), s.lag);
    }
  }

  /** What the broker says: the group's committed offset and the partition's end (polled). */
  observed(topic: string, partition: number, committed: string, highWatermark: string, now = Date.now()): void {
    const s = this.states.get(key(topic, partition));
    if (!s) return;
    if (s.committed !== committed) {
      if (s.committed !== undefined) s.progressAt = now;
      s.committed = committed;
    }
    if (BigInt(committed) < 0n) return;
    const lag = Number(BigInt(highWatermark) - BigInt(committed));
    s.lag = lag < 0 ? 0 : lag;
    lagGauge().set(this.labels(topic, partition), s.lag);
  }

  /** The stuck partitions now (and the gauge updated). */
  stuck(now = Date.now()): StuckPartition[] {
    const out: StuckPartition[] = [];
    for (const [k, s] of this.states) {
      const [topic, partition] = split(k);
      let why: string | undefined;
      if (s.failingSince !== undefined && now - s.failingSince > this.stuckAfterMs) {
        why = `batches failing for ${Math.round((now - s.failingSince) / 1000)} s`;
      } else if (s.failingSince === undefined && (s.lag ?? 0) > 0 && now - s.progressAt > this.stuckAfterMs) {
        why = `${s.lag} messages behind with no progress for ${Math.round((now - s.progressAt) / 1000)} s`;
      }
      const stuck = why !== undefined;
      if (stuck !== s.stuck) stuckGauge().set(this.labels(topic, partition), stuck ? 1 : 0);
      s.stuck = stuck;
      if (why) out.push({ topic, partition, why });
    }
    return out;
  }

  /** Forgets everything (the member left the group); gauges of its partitions go to 0. */
  clear(): void {
    this.assigned([]);
  }

  private state(topic: string, partition: number, now: number): PartitionState {
    const k = key(topic, partition);
    let s = this.states.get(k);
    if (!s) this.states.set(k, (s = { progressAt: now, stuck: false }));
    return s;
  }

  private labels(topic: string, partition: number) {
    return { group: this.group, topic, partition: String(partition) };
  }
}

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const split = (k: string): [string, number] => {
  const i = k.lastIndexOf('\u0000');
  return [k.slice(0, i), Number(k.slice(i + 1))];
};
