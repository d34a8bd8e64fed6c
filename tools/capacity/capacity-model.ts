/**
 * Capacity model of agent-ledger: from per-event CPU costs and memory measured by `npm run bench`
 * (tools/capacity/measurements.json) to pods, partitions, brokers, database and Redis nodes for a
 * target rate, and the Kubernetes resources of each service. Pure functions; the CLI is
 * tools/capacity/capacity.ts and docs/scaling.md explains each step.
 */

export type ServiceName = 'ingest-api' | 'audit-api' | 'audit-projector' | 'escalation-worker' | 'notifier';
export type Component = 'postgresql' | 'kafka' | 'redis';

export interface ScalingPoint {
  service: 'audit-projector' | 'escalation-worker';
  instances: number;
  eventsPerSec: number;
  /** CPU seconds of the service's instances together per 10,000 events in that run. */
  serviceCpuSecondsPer10kEvents: number;
  machineBusy: number;
}

export interface Measurements {
  services: Record<ServiceName, { cpuSecondsPer10kEvents: number; peakRssMb: number }>;
  infrastructure: Record<Component, { cpuSecondsPer10kEvents: number }>;
  eventBytes: number;
  sustainedEventsPerSec: number;
  machineCores: number;
  scaling: ScalingPoint[];
}

/** What is assumed, not measured: the hardware of a production cluster and the policy. */
export interface Assumptions {
  /** Busy share a pod or node is planned at (the rest absorbs bursts and rebalances). */
  targetUtilization: number;
  /** CPU of one service pod (one Node.js event loop uses about one core). */
  podCpuLimitCores: number;
  /** Usable cores of one Kafka broker, one PostgreSQL node. */
  brokerCores: number;
  databaseNodeCores: number;
  /** One Redis shard executes commands on one core. */
  redisShardCores: number;
  replicationFactor: number;
  /** Partitions provisioned per consumer pod needed at the target rate (growth without re-keying). */
  partitionHeadroom: number;
  /** Consumer groups reading the action events topic: projector, escalation worker, notifier's webhooks. */
  actionEventReaders: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = {
  targetUtilization: 0.7,
  podCpuLimitCores: 1,
  brokerCores: 16,
  databaseNodeCores: 32,
  redisShardCores: 1,
  replicationFactor: 3,
  partitionHeadroom: 2,
  actionEventReaders: 3,
};

export const CONSUMERS = ['audit-projector', 'escalation-worker', 'notifier'] as const;
export const SERVICES: ServiceName[] = ['ingest-api', 'audit-api', 'audit-projector', 'escalation-worker', 'notifier'];

const MIB = 1024 * 1024;
const roundUp = (value: number, step: number) => Math.ceil(value / step - 1e-9) * step;

/** A run with the machine at least this busy measured the cores' contention as much as the group. */
export const SATURATED_BUSY = 0.9;

export interface Overhead {
  /** cost(n)/cost(1) = 1 + slope·(n−1): the CPU per event each added instance adds. */
  slope: number;
  /** Fitted from runs (false: no runs of the service, slope 0). */
  measured: boolean;
  /**
   * Every run had the machine's cores ≥ 90 % busy: the slope then includes the instances' contention
   * for those cores, which pods with a core each do not have. It is an upper bound, not used for
   * the plan (which takes 0), only to show the ceiling it would put on one group.
   */
  saturated: boolean;
}

/**
 * CPU cost per event at n instances relative to one, from the scaling runs: a least-squares line
 * through (1, 1) over the runs of more instances — the unsaturated ones if there are any, else all
 * of them (then `saturated`).
 */
export function coordinationOverhead(points: ScalingPoint[], service: ScalingPoint['service']): Overhead {
  const runs = points.filter((p) => p.service === service).sort((a, b) => a.instances - b.instances);
  const one = runs.find((p) => p.instances === 1);
  const more = runs.filter((p) => p.instances > 1);
  if (!one || more.length === 0) return { slope: 0, measured: false, saturated: false };
  const calm = more.filter((p) => p.machineBusy < SATURATED_BUSY);
  const saturated = one.machineBusy >= SATURATED_BUSY || calm.length === 0;
  const fit = saturated ? more : calm;
  const xs = fit.map((p) => p.instances - 1);
  const ys = fit.map((p) => p.serviceCpuSecondsPer10kEvents / one.serviceCpuSecondsPer10kEvents - 1);
  const slope = xs.reduce((s, x, i) => s + x * ys[i], 0) / xs.reduce((s, x) => s + x * x, 0);
  return { slope: Math.max(0, slope), measured: true, saturated };
}

/**
 * The most events/s one consumer group reaches if each added member costs `slope` more CPU per
 * event: n pods carry n / (1 + slope·(n−1)) pods' worth, which tends to 1/slope as n grows.
 */
export const groupCeiling = (podRate: number, slope: number): number => (slope > 0 ? podRate / slope : Infinity);

/** Events per second one pod of a service sustains at its CPU limit and the target utilization. */
export function podEventsPerSec(m: Measurements, service: ServiceName, a: Assumptions = DEFAULT_ASSUMPTIONS): number {
  return (a.podCpuLimitCores * a.targetUtilization * 10_000) / m.services[service].cpuSecondsPer10kEvents;
}

/** Pods of a service for `rate` events/s: the smallest n whose cores cover the cost at n instances. */
export function podsFor(m: Measurements, service: ServiceName, rate: number, a: Assumptions = DEFAULT_ASSUMPTIONS): number {
  const base = m.services[service].cpuSecondsPer10kEvents;
  const overhead = service === 'audit-projector' || service === 'escalation-worker' ? coordinationOverhead(m.scaling, service) : undefined;
  const slope = overhead && !overhead.saturated ? overhead.slope : 0;
  for (let n = 1; n < 100_000; n++) {
    const cores = (rate * base * (1 + slope * (n - 1))) / 10_000;
    if (cores <= n * a.podCpuLimitCores * a.targetUtilization) return n;
  }
  throw new Error(`${service}: no pod count sustains ${rate} events/s (the per-pod overhead grows faster than the pods add)`);
}

export interface Plan {
  rate: number;
  pods: Record<ServiceName, number>;
  /** Partitions of the action events topic: the most consumer pods needed × headroom, a multiple of 12. */
  partitions: number;
  kafka: { brokers: number; cpuCores: number; ingressMBps: number; diskWriteMBps: number; egressMBps: number };
  postgresql: { cpuCores: number; nodes: number };
  redis: { cpuCores: number; shards: number };
  serviceCores: number;
}

/** Sizes the whole system for `rate` events/s. */
export function planFor(m: Measurements, rate: number, a: Assumptions = DEFAULT_ASSUMPTIONS): Plan {
  // audit-api serves reads: its load is queries, not the event rate (2 pods, scaled on its own).
  const pods = Object.fromEntries(SERVICES.map((s) => [s, s === 'audit-api' ? 2 : Math.max(2, podsFor(m, s, rate, a))])) as Record<ServiceName, number>;
  const consumerPods = Math.max(...CONSUMERS.map((c) => pods[c]));
  const partitions = Math.max(12, roundUp(consumerPods * a.partitionHeadroom, 12));
  const infraCores = (c: Component) => (rate * m.infrastructure[c].cpuSecondsPer10kEvents) / 10_000;
  const ingressMBps = (rate * m.eventBytes) / 1e6;
  // Every byte is written by the leader and each follower; read by the followers and each consumer group.
  const kafkaCores = infraCores('kafka') * a.replicationFactor;
  const diskWriteMBps = ingressMBps * a.replicationFactor;
  const egressMBps = ingressMBps * (a.replicationFactor - 1 + a.actionEventReaders);
  const brokers = Math.max(a.replicationFactor, Math.ceil(kafkaCores / (a.brokerCores * a.targetUtilization)));
  const pgCores = infraCores('postgresql');
  const redisCores = infraCores('redis');
  const serviceCores = SERVICES.filter((svc) => svc !== 'audit-api').reduce((s, svc) => s + (rate * m.services[svc].cpuSecondsPer10kEvents) / 10_000, 0);
  return {
    rate,
    pods,
    partitions,
    kafka: { brokers, cpuCores: kafkaCores, ingressMBps, diskWriteMBps, egressMBps },
    postgresql: { cpuCores: pgCores, nodes: Math.max(1, Math.ceil(pgCores / (a.databaseNodeCores * a.targetUtilization))) },
    redis: { cpuCores: redisCores, shards: Math.max(1, Math.ceil(redisCores / (a.redisShardCores * a.targetUtilization))) },
    serviceCores,
  };
}

export interface PodResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

/** Reference rate one pod is requested for: the sustained end-to-end rate measured with one instance each. */
export const podReferenceRate = (m: Measurements) => m.sustainedEventsPerSec;

const millicores = (cores: number) => `${cores}m`;
const cpuQuantity = (cores: number) => (Number.isInteger(cores) ? `${cores}` : millicores(Math.round(cores * 1000)));

/**
 * Kubernetes resources of a benchmarked service: CPU request = its cost at the reference rate
 * (≥ 100m, a multiple of 50m), CPU limit = one core; memory request = peak RSS in MiB rounded up to
 * 64 MiB, memory limit = 1.5 × the request rounded up to 64 MiB.
 */
export function podResources(m: Measurements, service: ServiceName, a: Assumptions = DEFAULT_ASSUMPTIONS): PodResources {
  const { cpuSecondsPer10kEvents, peakRssMb } = m.services[service];
  const requestMilli = Math.max(100, roundUp((podReferenceRate(m) * cpuSecondsPer10kEvents) / 10, 50));
  const memoryRequest = roundUp((peakRssMb * 1e6) / MIB, 64);
  return {
    requests: { cpu: millicores(requestMilli), memory: `${memoryRequest}Mi` },
    limits: { cpu: cpuQuantity(a.podCpuLimitCores), memory: `${roundUp(memoryRequest * 1.5, 64)}Mi` },
  };
}

/**
 * KEDA lagThreshold of a consumer: the backlog one pod clears in `seconds` at its planned rate
 * (KEDA runs ceil(total lag / lagThreshold) pods).
 */
export function lagThreshold(m: Measurements, service: (typeof CONSUMERS)[number], seconds = 2, a: Assumptions = DEFAULT_ASSUMPTIONS): number {
  return roundUp(Math.min(podEventsPerSec(m, service, a), podReferenceRate(m)) * seconds, 1000);
}
