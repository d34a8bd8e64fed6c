import type { BenchReport } from './report';

export interface Target {
  /** The issue that set the target. */
  issue: number;
  /** Dotted path of the figure in the report. */
  figure: string;
  goal: string;
  value: number;
  unit: string;
  met: boolean;
}

type Goal = { issue: number; figure: string; goal: string; unit: string; at: (r: BenchReport) => number | undefined } & ({ atMost: number } | { atLeast: number });

const RSS_LIMIT_MB = 256;

/**
 * The targets of issue 18 (throughput and cost) and those of issue 8 it did not replace. A target
 * whose phase did not run (--only) is left out; its figure is read from the report as printed.
 */
const GOALS: Goal[] = [
  { issue: 18, figure: 'endToEnd.sustainedEventsPerSec', goal: 'sustained end to end (every service, broker and database on this machine)', unit: 'ev/s', atLeast: 12_000, at: (r) => r.endToEnd?.sustainedEventsPerSec },
  { issue: 18, figure: 'endToEnd.pipelineCpuSecondsPer10kEvents', goal: 'whole-pipeline CPU per 10,000 events (5 services + Kafka + PostgreSQL + Redis)', unit: 's', atMost: 1.8, at: (r) => r.endToEnd?.pipelineCpuSecondsPer10kEvents },
  { issue: 18, figure: 'projection.eventsPerSec', goal: 'projection alone', unit: 'ev/s', atLeast: 30_000, at: (r) => r.projection?.eventsPerSec },
  { issue: 18, figure: 'projection.ratioToCopy', goal: 'projection / raw COPY', unit: '', atLeast: 0.2, at: (r) => r.projection?.ratioToCopy },
  { issue: 18, figure: 'endToEnd.cpuSecondsPer10kEvents.escalation-worker', goal: 'escalation-worker CPU per 10,000 events', unit: 's', atMost: 0.15, at: (r) => r.endToEnd?.cpuSecondsPer10kEvents['escalation-worker'] },
  { issue: 18, figure: 'endToEnd.p99MsAt5000', goal: 'POST→visible p99 at 5,000 ev/s', unit: 'ms', atMost: 250, at: (r) => r.endToEnd?.p99MsAt5000 },
  { issue: 18, figure: 'query.statsWorstP95Ms', goal: 'GET /v1/stats p95, worst window', unit: 'ms', atMost: 50, at: (r) => r.query?.statsWorstP95Ms },
  { issue: 8, figure: 'endToEnd.p99MsAt2000', goal: 'POST→visible p99 at 2,000 ev/s', unit: 'ms', atMost: 500, at: (r) => r.endToEnd?.p99MsAt2000 },
  { issue: 8, figure: 'escalation.p95Ms', goal: 'POST → escalation.opened p95', unit: 'ms', atMost: 1_000, at: (r) => r.escalation?.p95Ms },
  { issue: 8, figure: 'query.actionsP95Ms', goal: 'GET /v1/actions (two filters) p95', unit: 'ms', atMost: 100, at: (r) => r.query?.actionsP95Ms },
];

const bound = (g: Goal): string => ('atMost' in g ? `<= ${g.atMost.toLocaleString('en-US')}` : `>= ${g.atLeast.toLocaleString('en-US')}`) + (g.unit ? ` ${g.unit}` : '');

/** Every target whose figure the report holds, with the value measured and whether it was reached. */
export function evaluateTargets(r: BenchReport): Target[] {
  const out: Target[] = [];
  for (const g of GOALS) {
    const value = g.at(r);
    if (value === undefined) continue;
    const met = Number.isFinite(value) && ('atMost' in g ? value <= g.atMost : value >= g.atLeast);
    const scope = g.figure.startsWith('query.') ? ` over ${(r.query?.storedEvents ?? 0).toLocaleString('en-US')} events` : '';
    out.push({ issue: g.issue, figure: g.figure, goal: `${g.goal}${scope} ${bound(g)}`, value, unit: g.unit, met });
  }
  // Peak RSS of each service under the run (issue 18): every process the monitor followed.
  for (const [name, mb] of Object.entries(r.resources.peakRssMb)) {
    out.push({ issue: 18, figure: `resources.peakRssMb.${name}`, goal: `peak RSS ${name} <= ${RSS_LIMIT_MB} MB`, value: mb, unit: 'MB', met: mb <= RSS_LIMIT_MB });
  }
  return out;
}
