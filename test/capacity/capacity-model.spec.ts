import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { coordinationOverhead, groupCeiling, lagThreshold, planFor, podResources, podsFor, type Measurements, type ScalingPoint } from '../../tools/capacity/capacity-model';
import { scalingPointsOf } from '../../tools/capacity/capacity';

const measured = JSON.parse(readFileSync(path.join(__dirname, '../../tools/capacity/measurements.json'), 'utf8')) as Measurements;
const withCosts = (costs: Partial<Record<string, number>>, scaling: ScalingPoint[] = []): Measurements => ({
  ...measured,
  services: Object.fromEntries(Object.entries(measured.services).map(([s, v]) => [s, { ...v, cpuSecondsPer10kEvents: costs[s] ?? v.cpuSecondsPer10kEvents }])) as Measurements['services'],
  scaling,
});
const run = (instances: number, cpu: number): ScalingPoint => ({ service: 'audit-projector', instances, eventsPerSec: 1000 * instances, serviceCpuSecondsPer10kEvents: cpu, machineBusy: 0.5 });

describe('capacity model', () => {
  it('should size pods so their cores at 70 % cover the per-event cost when the rate is given', () => {
    // 1 CPU-second per 10,000 events: one pod at 70 % of a core carries 7,000 events/s
    const m = withCosts({ 'audit-projector': 1 });
    expect(podsFor(m, 'audit-projector', 7_000)).toBe(1);
    expect(podsFor(m, 'audit-projector', 7_001)).toBe(2);
    expect(podsFor(m, 'audit-projector', 100_000)).toBe(15);
  });

  it('should fit the per-instance overhead through one instance when scaling runs are given', () => {
    expect(coordinationOverhead([], 'audit-projector')).toEqual({ slope: 0, measured: false, saturated: false });
    const o = coordinationOverhead([run(1, 1), run(2, 1.1), run(3, 1.2)], 'audit-projector');
    expect({ measured: o.measured, saturated: o.saturated }).toEqual({ measured: true, saturated: false });
    expect(o.slope).toBeCloseTo(0.1, 10);
  });

  it('should fit only the unsaturated runs, and mark a fit over saturated runs as an upper bound the plan ignores', () => {
    const busy = (p: ScalingPoint): ScalingPoint => ({ ...p, machineBusy: 1 });
    expect(coordinationOverhead([run(1, 1), run(2, 1.1), busy(run(3, 2))], 'audit-projector').slope).toBeCloseTo(0.1, 10);
    const saturated = coordinationOverhead([busy(run(1, 1)), busy(run(2, 1.5)), busy(run(3, 2))], 'audit-projector');
    expect(saturated).toEqual({ slope: 0.5, measured: true, saturated: true });
    const m = withCosts({ 'audit-projector': 1 }, [busy(run(1, 1)), busy(run(2, 1.5)), busy(run(3, 2))]);
    expect(podsFor(m, 'audit-projector', 100_000)).toBe(podsFor(withCosts({ 'audit-projector': 1 }), 'audit-projector', 100_000));
    expect(groupCeiling(7_000, 0.5)).toBe(14_000);
    expect(groupCeiling(7_000, 0)).toBe(Infinity);
  });

  it('should need more pods when each added instance costs more per event', () => {
    const flat = withCosts({ 'audit-projector': 1 });
    const costly = withCosts({ 'audit-projector': 1 }, [run(1, 1), run(2, 1.1), run(3, 1.2)]);
    expect(podsFor(costly, 'audit-projector', 50_000)).toBeGreaterThan(podsFor(flat, 'audit-projector', 50_000));
  });

  it('should fail clearly when the overhead outgrows what pods add', () => {
    const hopeless = withCosts({ 'audit-projector': 1 }, [run(1, 1), run(2, 3)]);
    expect(() => podsFor(hopeless, 'audit-projector', 1_000_000)).toThrow(/no pod count sustains/);
  });

  it('should give the topic a multiple of 12 partitions, twice the busiest consumer\'s pods, at least 12', () => {
    const m = withCosts({ 'audit-projector': 1 });
    expect(planFor(m, 1_000).partitions).toBe(12);
    const p = planFor(m, 100_000);
    expect(p.pods['audit-projector']).toBe(15);
    expect(p.partitions).toBe(36);
  });

  it('should keep three brokers for replication factor 3 and grow them with Kafka\'s cores', () => {
    expect(planFor(measured, 1_000).kafka.brokers).toBe(3);
    const big = planFor(measured, 1_000_000);
    expect(big.kafka.brokers).toBeGreaterThan(3);
    expect(big.kafka.diskWriteMBps).toBeCloseTo(big.kafka.ingressMBps * 3, 6);
  });

  it('should request CPU for the reference rate and memory for the peak RSS when resources are derived', () => {
    const m: Measurements = { ...measured, sustainedEventsPerSec: 5_000, services: { ...measured.services, 'audit-projector': { cpuSecondsPer10kEvents: 1.03, peakRssMb: 427 } } };
    expect(podResources(m, 'audit-projector')).toEqual({ requests: { cpu: '550m', memory: '448Mi' }, limits: { cpu: '1', memory: '704Mi' } });
    expect(podResources({ ...m, services: { ...m.services, notifier: { cpuSecondsPer10kEvents: 0.01, peakRssMb: 10 } } }, 'notifier').requests).toEqual({ cpu: '100m', memory: '64Mi' });
  });

  it('should set the lag threshold to two seconds of one pod\'s planned rate', () => {
    expect(lagThreshold(withCosts({ 'audit-projector': 7 }), 'audit-projector')).toBe(2_000);
    expect(lagThreshold(measured, 'notifier')).toBe(measured.sustainedEventsPerSec * 2);
  });

  it('should read the scaling series of a bench report when one is given', () => {
    const report = { scaling: { projector: { service: 'audit-projector', runs: [{ instances: 1, eventsPerSec: 900, serviceCpuSecondsPer10kEvents: 1.1, machineBusy: 0.6 }] }, partitions: 12 } };
    expect(scalingPointsOf(report)).toEqual([{ service: 'audit-projector', instances: 1, eventsPerSec: 900, serviceCpuSecondsPer10kEvents: 1.1, machineBusy: 0.6 }]);
  });
});
