/*
 * Prints the capacity plan of docs/scaling.md from measured per-event costs:
 *
 *   npm run build && node dist/tools/capacity/capacity.js [--rates 5000,100000,1000000]
 *        [--bench bench/results/<run>.json]   the scaling phase's runs (1, 2, 3 instances) of that report
 *        [--measurements <file>]               default tools/capacity/measurements.json
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  CONSUMERS,
  coordinationOverhead,
  DEFAULT_ASSUMPTIONS,
  groupCeiling,
  lagThreshold,
  planFor,
  podEventsPerSec,
  podResources,
  SATURATED_BUSY,
  SERVICES,
  type Measurements,
  type ScalingPoint,
} from './capacity-model';

/** The scaling phase of a bench report (bench/phases/scaling.ts): each series' runs. */
interface BenchScalingRun {
  instances: number;
  eventsPerSec: number;
  serviceCpuSecondsPer10kEvents: number;
  machineBusy: number;
}
type BenchReport = { scaling?: Record<string, { service?: ScalingPoint['service']; runs?: BenchScalingRun[] } | unknown> };

export function scalingPointsOf(report: BenchReport): ScalingPoint[] {
  return Object.values(report.scaling ?? {}).flatMap((series) => {
    const s = series as { service?: ScalingPoint['service']; runs?: BenchScalingRun[] };
    if (!s?.service || !Array.isArray(s.runs)) return [];
    return s.runs.map((r) => ({ service: s.service!, instances: r.instances, eventsPerSec: r.eventsPerSec, serviceCpuSecondsPer10kEvents: r.serviceCpuSecondsPer10kEvents, machineBusy: r.machineBusy }));
  });
}

function option(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function main(): void {
  const file = option('measurements') ?? path.join(__dirname, '../../../tools/capacity/measurements.json');
  const m = JSON.parse(readFileSync(file, 'utf8')) as Measurements;
  const bench = option('bench');
  if (bench) m.scaling = scalingPointsOf(JSON.parse(readFileSync(bench, 'utf8')) as BenchReport);
  const rates = (option('rates') ?? '5000,10000,100000,1000000').split(',').map(Number);
  const a = DEFAULT_ASSUMPTIONS;
  const out: string[] = [];
  out.push(`measurements: ${file}${bench ? ` + scaling runs of ${bench}` : ''}`);
  out.push(`assumed: ${JSON.stringify(a)}`);
  out.push('', 'scaling runs (same machine):');
  for (const s of ['audit-projector', 'escalation-worker'] as const) {
    const runs = m.scaling.filter((p) => p.service === s).sort((x, y) => x.instances - y.instances);
    const o = coordinationOverhead(m.scaling, s);
    const one = runs.find((r) => r.instances === 1)?.eventsPerSec;
    out.push(`  ${s}: ${runs.map((r) => `${r.instances}× ${fmt(r.eventsPerSec)} ev/s (${r.serviceCpuSecondsPer10kEvents} CPU-s/10k, busy ${fmt(r.machineBusy * 100)} %)`).join('; ') || 'no runs'}`);
    if (one && runs.length > 1) out.push(`    ratio ${runs.map((r) => fmt(r.eventsPerSec / one, 2)).join(' : ')}`);
    if (!o.measured) out.push('    CPU per event per added instance: not measured (0 assumed)');
    else if (!o.saturated) out.push(`    CPU per event grows ${fmt(o.slope * 100, 1)} % per added instance (least squares over the unsaturated runs; used by the plan)`);
    else {
      const ceiling = groupCeiling(podEventsPerSec(m, s), o.slope);
      out.push(`    CPU per event grows ${fmt(o.slope * 100, 1)} % per added instance, but every run had the cores ≥ ${SATURATED_BUSY * 100} % busy: contention included, an upper bound.`);
      out.push(`    Were it all coordination, one group would top out near ${Number.isFinite(ceiling) ? fmt(ceiling) : '∞'} ev/s; the plan assumes 0 (a pod has its own core).`);
    }
  }
  out.push('', 'per pod (1 core at 70 %):');
  for (const s of SERVICES) {
    const r = podResources(m, s);
    const lag = (CONSUMERS as readonly string[]).includes(s) ? `, KEDA lagThreshold ${lagThreshold(m, s as (typeof CONSUMERS)[number])}` : '';
    out.push(`  ${s.padEnd(18)} ${fmt(podEventsPerSec(m, s)).padStart(8)} ev/s; requests ${r.requests.cpu}/${r.requests.memory}, limits ${r.limits.cpu}/${r.limits.memory}${lag}`);
  }
  for (const rate of rates) {
    const p = planFor(m, rate);
    out.push('', `${fmt(rate)} events/s:`);
    out.push(`  pods: ${SERVICES.map((s) => `${s} ${p.pods[s]}`).join(', ')} (${fmt(p.serviceCores, 1)} cores of services)`);
    out.push(`  action events topic: ${p.partitions} partitions`);
    out.push(`  Kafka: ${p.kafka.brokers} brokers (RF ${a.replicationFactor}, ${fmt(p.kafka.cpuCores, 1)} cores), ingress ${fmt(p.kafka.ingressMBps, 1)} MB/s, disk writes ${fmt(p.kafka.diskWriteMBps, 1)} MB/s, egress ${fmt(p.kafka.egressMBps, 1)} MB/s`);
    out.push(`  PostgreSQL: ${fmt(p.postgresql.cpuCores, 1)} cores → ${p.postgresql.nodes} node(s) of ${a.databaseNodeCores} cores`);
    out.push(`  Redis: ${fmt(p.redis.cpuCores, 1)} cores → ${p.redis.shards} shard(s)`);
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

if (require.main === module) main();
