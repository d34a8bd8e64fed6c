import type { EndToEndResult } from '../phases/end-to-end';
import type { IngestResult } from '../phases/ingest';
import type { ProjectionResult } from '../phases/projection';
import type { QueryResult } from '../phases/query';
import type { ScalingResult } from '../phases/scaling';
import type { Phase } from './args';
import type { Machine, Versions } from './machine';
import type { Mode, Sizes } from './context';
import type { LatencySummary } from './stats';
import type { Target } from './targets';

/** Dotted paths of the figures each phase adds to the report, each a finite number. */
export const FIGURES_BY_PHASE: Record<Phase, readonly string[]> = {
  ingest: ['ingest.ratioToRawProducer', 'ingest.ingestApiCpuSecondsPer10kEvents'],
  projection: ['projection.eventsPerSec', 'projection.ratioToCopy', 'projection.ratioToNaive'],
  scaling: ['scaling.projector.ratio', 'scaling.escalationWorker.ratio'],
  escalation: ['escalation.p95Ms', 'notification.p95Ms'],
  query: ['query.actionsP95Ms', 'query.statsP95Ms', 'query.statsWorstP95Ms'],
  'end-to-end': ['endToEnd.sustainedEventsPerSec', 'endToEnd.p99MsAt2000', 'endToEnd.p99MsAt5000', 'endToEnd.pipelineCpuSecondsPer10kEvents'],
};

export const requiredFigures = (phases: readonly Phase[]): string[] => phases.flatMap((p) => FIGURES_BY_PHASE[p]);

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  phaseSeconds: Record<string, number>;
  mode: Mode;
  /** The phases that ran (all, or those named by --only). */
  phases: Phase[];
  sizes: Sizes;
  machine: Machine;
  versions: Versions;
  database: string;
  contention: { otherProjectorGroupsActiveSincePhaseStart: Record<string, string[]>; machineBusyBeforeStart: number; note: string };
  ingest?: IngestResult;
  projection?: ProjectionResult;
  scaling?: ScalingResult;
  endToEnd?: EndToEndResult;
  escalation?: LatencySummary & { sent: number; rawMs: number[]; missing: number; measuredAs: string };
  notification?: LatencySummary & { sent: number; rawMs: number[]; missing: number; measuredAs: string; afterOpenedMs: LatencySummary };
  query?: QueryResult & { actionsP50Ms: number; actionsP95Ms: number; statsP50Ms: number; statsP95Ms: number };
  resources: {
    peakRssMb: Record<string, number>;
    cpuSecondsPer10kEvents: { endToEnd?: Record<string, number>; ingest?: Record<string, number>; projection?: Record<string, number> };
    machineBusyDuringLoads: Record<string, number>;
  };
  targets: Target[];
}

export const pick = (report: unknown, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), report);

/** The required figures of the phases that ran that are missing or not finite. */
export const incompleteFigures = (r: BenchReport): string[] =>
  requiredFigures(r.phases).filter((f) => typeof pick(r, f) !== 'number' || !Number.isFinite(pick(r, f) as number));

export const fmt = (v: unknown, digits = 0): string => {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
};
