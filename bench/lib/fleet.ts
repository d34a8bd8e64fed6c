import { freePort, ServiceProcess, type ServiceName } from '@agent-ledger/testing';
import type { Kafka } from '@agent-ledger/kafka';
import { memoryMb, type ProcessRef } from './resources';

type Admin = ReturnType<Kafka['admin']>;

/** `count` instances of one consumer service with one environment, so members of one consumer group. */
export class ConsumerFleet {
  private readonly processes: ServiceProcess[] = [];
  private paused = false;

  constructor(readonly service: ServiceName, private readonly env: NodeJS.ProcessEnv) {}

  async start(count: number): Promise<void> {
    const ports: number[] = [];
    while (ports.length < count) {
      const port = await freePort();
      if (!ports.includes(port)) ports.push(port);
    }
    for (const port of ports) this.processes.push(new ServiceProcess(this.service, port, this.env).start());
    await Promise.all(this.processes.map((p) => p.waitReady()));
  }

  get refs(): ProcessRef[] {
    return this.processes.map((p, i) => ({ name: `${this.service}#${i + 1}`, pid: p.pid! }));
  }

  /** Peak RSS (VmHWM) of each instance so far, in MB. */
  peakRssMb(): number[] {
    return this.processes.map((p) => Math.round(memoryMb(p.pid!).peak));
  }

  /**
   * Freezes every instance (SIGSTOP) — they stay members of their group as long as the pause is shorter
   * than their session timeout — so that a backlog can be written before they all start on it at once.
   */
  pause(): void {
    this.signal('SIGSTOP');
    this.paused = true;
  }

  resume(): void {
    if (this.paused) this.signal('SIGCONT');
    this.paused = false;
  }

  async stop(): Promise<void> {
    this.resume();
    await Promise.all(this.processes.map((p) => p.stop()));
  }

  private signal(signal: NodeJS.Signals): void {
    for (const p of this.processes) if (p.pid && p.exitCode === null) process.kill(p.pid, signal);
  }
}

/** Members of a consumer group and whether it is stable (no rebalance under way). */
export async function groupMembers(admin: Admin, groupId: string): Promise<{ members: number; stable: boolean }> {
  const { groups } = await admin.describeGroups([groupId]);
  const g = groups[0];
  return { members: g?.members.length ?? 0, stable: g?.state === 'Stable' };
}

/** A Kafka consumer group's committed next offset per partition of a topic. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return new Map((t?.partitions ?? []).filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, BigInt(p.offset)]));
}
