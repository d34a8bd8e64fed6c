import { ACTION_EVENTS_TOPIC, ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { commitGroupOffsets, LedgerSystem, uniqueSuffix, waitFor } from '@agent-ledger/testing';
import type { BenchContext } from '../lib/context';
import { committedOffsets, ConsumerFleet, groupMembers } from '../lib/fleet';
import { storedOffsets } from '../lib/load';
import { machine } from '../lib/machine';
import { backlogProgress, preloadActionEvents } from '../lib/preload';
import { cpuMeter, machineBusy, stackCpuMeter } from '../lib/resources';
import { round, sleep } from '../lib/stats';

/** A machine at least this busy over a run is taken as bounded by its cores. */
const CPU_BOUND_BUSY = 0.9;

export interface ScalingRun {
  instances: number;
  group: string;
  /** Members of the group when the backlog was written (all instances joined, group stable). */
  members: number;
  backlog: number;
  /** Launch → every instance ready, joined and the group stable. */
  startupSeconds: number;
  measuredEvents: number;
  measuredSeconds: number;
  eventsPerSec: number;
  progress: { t: number; done: number }[];
  /** CPU seconds over the window: each instance, PostgreSQL, Kafka, Redis. */
  cpuSeconds: Record<string, number>;
  serviceCpuSecondsPer10kEvents: number;
  stackCpuSecondsPer10kEvents: Record<string, number>;
  machineBusy: number;
  /** The rate the machine's cores allow at the CPU cost measured (cores × 10,000 / CPU seconds per 10,000 events). */
  cpuCeilingEventsPerSec: number;
  bound: string;
  peakRssMb: number[];
}

export interface ScalingSeries {
  service: 'audit-projector' | 'escalation-worker';
  runs: ScalingRun[];
  /** Throughput with the most instances / with one. */
  ratio: number;
  verdict: string;
}

export interface ScalingResult {
  partitions: number;
  cores: number;
  eventsPerRun: number;
  measuredAs: string;
  projector: ScalingSeries;
  escalationWorker: ScalingSeries;
  /** The projector groups of the phase (they store offsets in the database). */
  projectorGroups: string[];
}

/** One consumer service under test: its group, how to place the group at given offsets, how far it got. */
interface Subject {
  service: 'audit-projector' | 'escalation-worker';
  group: string;
  env: NodeJS.ProcessEnv;
  /** Places the (idle) group at these next offsets of the action events topic. */
  place(offsets: Map<number, bigint>): Promise<void>;
  /** The group's next offset per partition, as it records them. */
  offsets(): Promise<Map<number, bigint>>;
}

/**
 * `count` instances of a consumer in one group: launched on an idle topic, frozen (SIGSTOP) once the
 * group is stable with every instance, a backlog written, then all resumed at once — the rate is how
 * fast the stable group drains the backlog, without start-up or the rebalances of the joins.
 */
async function measure(ctx: BenchContext, subject: Subject, count: number, tenantId: string): Promise<ScalingRun> {
  const admin = ctx.kafka.admin();
  await admin.connect();
  const cores = machine().cores;
  const fleet = new ConsumerFleet(subject.service, subject.env);
  try {
    await subject.place(new Map((await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC)).map((o) => [o.partition, BigInt(o.high)])));
    const launched = performance.now();
    await fleet.start(count);
    await waitFor(async () => {
      const g = await groupMembers(admin, subject.group);
      return g.stable && g.members >= count;
    }, { timeoutMs: 60_000, what: `${count} × ${subject.service} in one stable group` });
    const startupSeconds = (performance.now() - launched) / 1_000;
    const { members } = await groupMembers(admin, subject.group);
    fleet.pause();
    const backlog = await preloadActionEvents(ctx.kafka, tenantId, `scale-${uniqueSuffix()}`, ctx.sizes.scaling.events);
    const cpu = cpuMeter(fleet.refs);
    const stack = stackCpuMeter();
    const busyOf = machineBusy();
    const started = performance.now();
    fleet.resume();
    const progress: { t: number; done: number }[] = [];
    const deadline = Date.now() + ctx.sizes.scaling.timeoutMs;
    for (;;) {
      const p = backlogProgress(backlog, await subject.offsets());
      progress.push({ t: round((performance.now() - started) / 1_000, 3), done: p.done });
      if (p.finished) break;
      if (Date.now() > deadline) throw new Error(`${count} × ${subject.service} did not consume ${backlog.messages} messages within ${ctx.sizes.scaling.timeoutMs / 1_000} s (${p.done} done)`);
      await sleep(100);
    }
    const cpuSeconds = { ...cpu(), ...stack() };
    const busy = round(busyOf(), 3);
    const { t: seconds, done: events } = progress.at(-1)!;
    const serviceCpu = fleet.refs.reduce((a, r) => a + (cpuSeconds[r.name] ?? 0), 0);
    const stackNames = ['postgres', 'kafka', 'redis'];
    const totalPer10k = ((serviceCpu + stackNames.reduce((a, n) => a + (cpuSeconds[n] ?? 0), 0)) / events) * 10_000;
    const ceiling = Math.round((cores * 10_000) / totalPer10k);
    const bound =
      busy >= CPU_BOUND_BUSY
        ? `CPU: the ${cores} cores ${round(busy * 100)} % busy (they allow ~${ceiling.toLocaleString('en-US')} ev/s at this cost)`
        : `not the cores (${round(busy * 100)} % busy): waits (database commits, fetches, the group's partition split)`;
    return {
      instances: count,
      group: subject.group,
      members,
      backlog: backlog.messages,
      startupSeconds: round(startupSeconds, 2),
      measuredEvents: events,
      measuredSeconds: seconds,
      eventsPerSec: round(events / seconds),
      progress,
      cpuSeconds,
      serviceCpuSecondsPer10kEvents: round((serviceCpu / events) * 10_000, 2),
      stackCpuSecondsPer10kEvents: Object.fromEntries(stackNames.map((n) => [n, round(((cpuSeconds[n] ?? NaN) / events) * 10_000, 2)])),
      machineBusy: busy,
      cpuCeilingEventsPerSec: ceiling,
      bound,
      peakRssMb: fleet.peakRssMb(),
    };
  } finally {
    await fleet.stop();
    await admin.disconnect();
  }
}

function series(service: ScalingSeries['service'], runs: ScalingRun[], cores: number): ScalingSeries {
  const one = runs.find((r) => r.instances === 1) ?? runs[0];
  const most = runs.at(-1)!;
  const ratio = round(most.eventsPerSec / one.eventsPerSec, 2);
  const pct = (v: number) => `${round(v * 100)} %`;
  const verdict =
    one.machineBusy >= CPU_BOUND_BUSY
      ? `bounded by the ${cores} cores: one instance already kept them ${pct(one.machineBusy)} busy`
      : most.machineBusy >= CPU_BOUND_BUSY
        ? `bounded by the ${cores} cores at ${most.instances} instances (${pct(most.machineBusy)} busy)`
        : `not CPU-bound at ${most.instances} instances (${pct(most.machineBusy)} busy)`;
  return { service, runs, ratio, verdict };
}

/**
 * Issue 19's scaling measurement: 1, 2, 3 … audit-projectors, then as many escalation workers, in one
 * consumer group each on this machine, each count on a fresh backlog of the same size (a fresh tenant:
 * the projector skips events it already stored), with the CPU split of every run.
 */
export async function scalingPhase(ctx: BenchContext): Promise<ScalingResult> {
  const s = ctx.sizes.scaling;
  const admin = ctx.kafka.admin();
  await admin.connect();
  const partitions = (await admin.fetchTopicMetadata({ topics: [ACTION_EVENTS_TOPIC] })).topics[0].partitions.length;
  const cores = machine().cores;
  const projectorRuns: ScalingRun[] = [];
  const workerRuns: ScalingRun[] = [];
  try {
    for (const count of s.instances) {
      // The system only names the groups and environments; the instances are launched by the fleet.
      // A pause while the backlog is written must stay inside the session timeout (60 s here).
      const system = new LedgerSystem({
        services: ['audit-projector', 'escalation-worker'],
        checkpointEveryEvents: 1_000,
        checkpointEveryMs: 10_000,
        env: {
          'audit-projector': { LEDGER_MASTER_KEY: ctx.front.masterKey.toString('base64'), AUDIT_PROJECTOR_SESSION_TIMEOUT_MS: '60000' },
          'escalation-worker': { ESCALATION_SETTINGS_CACHE_MS: '5000', ESCALATION_TIMER_POLL_MS: '1000', ESCALATION_WORKER_SESSION_TIMEOUT_MS: '60000' },
        },
      });
      const projectorGroup = system.projectorGroup;
      const projector: Subject = {
        service: 'audit-projector',
        group: projectorGroup,
        env: system.envOf('audit-projector'),
        place: async (offsets) => {
          for (const [partition, offset] of offsets) {
            await ctx.db.query(`INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, $4)`, [projectorGroup, ACTION_EVENTS_TOPIC, partition, offset.toString()]);
          }
          await system.startKafkaGroupAtTopicEnd(`${projectorGroup}-escalations`, ESCALATIONS_TOPIC);
        },
        offsets: () => storedOffsets(ctx.db, projectorGroup),
      };
      const workerGroup = system.escalationGroup;
      const worker: Subject = {
        service: 'escalation-worker',
        group: workerGroup,
        env: system.envOf('escalation-worker'),
        place: async (offsets) => {
          await commitGroupOffsets(ctx.kafka, workerGroup, ACTION_EVENTS_TOPIC, [...offsets].map(([partition, offset]) => ({ partition, offset: offset.toString() })));
          await system.startKafkaGroupAtTopicEnd(`${workerGroup}-state`, ESCALATIONS_TOPIC);
        },
        offsets: () => committedOffsets(admin, workerGroup, ACTION_EVENTS_TOPIC),
      };
      // A fresh tenant per backlog: the projector skips events it already stored.
      for (const [subject, runs] of [[projector, projectorRuns], [worker, workerRuns]] as const) {
        const tenant = await ctx.front.createTenant(`bench-scaling-${uniqueSuffix()}`);
        const run = await measure(ctx, subject, count, tenant.tenantId);
        runs.push(run);
        ctx.log(`  scaling: ${count} × ${subject.service} ${run.eventsPerSec} ev/s (${run.members} members, ${partitions} partitions; machine ${round(run.machineBusy * 100)} % busy)`);
      }
    }
  } finally {
    await admin.disconnect();
  }
  return {
    partitions,
    cores,
    eventsPerRun: s.events,
    measuredAs:
      'per instance count: a fresh group placed at the end of the action events topic, the instances launched and waited for until the group is stable with all of them, ' +
      'then frozen (SIGSTOP) while a fresh tenant’s backlog is written with the raw producer, and resumed together; the rate is the backlog over the time to consume it ' +
      '(stored offsets for the projector, committed offsets for the worker); CPU from /proc over the same time',
    projector: series('audit-projector', projectorRuns, cores),
    escalationWorker: series('escalation-worker', workerRuns, cores),
    projectorGroups: projectorRuns.map((r) => r.group),
  };
}
