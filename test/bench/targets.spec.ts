import type { BenchReport } from '../../bench/lib/report';
import { evaluateTargets } from '../../bench/lib/targets';

const report = (parts: Partial<BenchReport>): BenchReport =>
  ({ phases: [], resources: { peakRssMb: {}, cpuSecondsPer10kEvents: {}, machineBusyDuringLoads: {} }, ...parts }) as unknown as BenchReport;

describe('evaluateTargets', () => {
  it('should leave out the targets of phases that did not run', () => {
    const targets = evaluateTargets(report({ projection: { eventsPerSec: 31_000, ratioToCopy: 0.15 } as BenchReport['projection'] }));
    expect(targets.map((t) => [t.figure, t.met])).toEqual([
      ['projection.eventsPerSec', true],
      ['projection.ratioToCopy', false],
    ]);
  });

  it('should judge each figure against its bound in the right direction when the end-to-end phase ran', () => {
    const endToEnd = {
      sustainedEventsPerSec: 12_000,
      pipelineCpuSecondsPer10kEvents: 1.81,
      cpuSecondsPer10kEvents: { 'escalation-worker': 0.15 },
      p99MsAt5000: 251,
      p99MsAt2000: 90,
    } as unknown as BenchReport['endToEnd'];
    const met = Object.fromEntries(evaluateTargets(report({ endToEnd })).map((t) => [t.figure, t.met]));
    expect(met).toEqual({
      'endToEnd.sustainedEventsPerSec': true,
      'endToEnd.pipelineCpuSecondsPer10kEvents': false,
      'endToEnd.cpuSecondsPer10kEvents.escalation-worker': true,
      'endToEnd.p99MsAt5000': false,
      'endToEnd.p99MsAt2000': true,
    });
  });

  it('should not count a figure that is not a number as reached', () => {
    const [t] = evaluateTargets(report({ query: { statsWorstP95Ms: NaN, storedEvents: 10 } as BenchReport['query'] }));
    expect(t).toEqual(expect.objectContaining({ figure: 'query.statsWorstP95Ms', met: false }));
  });

  it('should hold every service’s peak RSS to 256 MB when the monitor followed it', () => {
    const targets = evaluateTargets(report({ resources: { peakRssMb: { 'ingest-api': 300, notifier: 150 }, cpuSecondsPer10kEvents: {}, machineBusyDuringLoads: {} } }));
    expect(targets.map((t) => [t.figure, t.met])).toEqual([
      ['resources.peakRssMb.ingest-api', false],
      ['resources.peakRssMb.notifier', true],
    ]);
  });
});
