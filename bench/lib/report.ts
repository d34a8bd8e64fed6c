import Table from 'cli-table3';
import type { EndToEndResult } from '../phases/end-to-end';
import type { IngestResult } from '../phases/ingest';
import type { ProjectionResult } from '../phases/projection';
import type { QueryResult } from '../phases/query';
import type { Machine, Versions } from './machine';
import type { Mode, Sizes } from './context';
import type { LatencySummary } from './stats';

/** Dotted paths of the figures every report holds, each a finite number. */
export const REQUIRED_FIGURES = [
  'ingest.ratioToRawProducer',
  'projection.eventsPerSec',
  'projection.ratioToCopy',
  'projection.ratioToNaive',
  'endToEnd.sustainedEventsPerSec',
  'endToEnd.p99MsAt2000',
  'escalation.p95Ms',
  'notification.p95Ms',
  'query.actionsP95Ms',
  'query.statsP95Ms',
] as const;

export interface Target {
  figure: string;
  goal: string;
  value: number;
  met: boolean;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  durationSeconds: number;
  mode: Mode;
  sizes: Sizes;
  machine: Machine;
  versions: Versions;
  database: string;
  contention: { otherProjectorGroupsActiveSincePhaseStart: Record<string, string[]>; note: string };
  ingest: IngestResult;
  projection: ProjectionResult;
  endToEnd: EndToEndResult;
  escalation: LatencySummary & { sent: number; rawMs: number[]; missing: number; measuredAs: string };
  notification: LatencySummary & { sent: number; rawMs: number[]; missing: number; measuredAs: string; afterOpenedMs: LatencySummary };
  query: QueryResult & { actionsP50Ms: number; actionsP95Ms: number; statsP50Ms: number; statsP95Ms: number };
  resources: {
    peakRssMb: Record<string, number>;
    cpuSecondsPer10kEvents: { endToEnd: Record<string, number>; ingest: Record<string, number>; projection: Record<string, number> };
    machineBusyDuringLoads: Record<string, number>;
  };
  targets: Target[];
}

export const pick = (report: unknown, dotted: string): unknown =>
  dotted.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), report);

const fmt = (v: unknown, digits = 0): string => {
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
};

/** The printed summary: one row per figure with what it rests on, then the targets of the issue. */
export function renderTable(r: BenchReport): string {
  const t = new Table({ head: ['figure', 'value', 'measured as'], style: { head: [], border: [] } });
  const i = r.ingest;
  const p = r.projection;
  const e = r.endToEnd;
  const q = r.query;
  t.push(
    ['ingest, batches of 100', `${fmt(i.httpBatchEventsPerSec)} ev/s`, `POST /v1/events, ${i.batchConcurrency} in flight, ${i.runs.length / 4} run(s) of ${i.secondsPerRun} s (median)`],
    ['raw producer, batches of 100', `${fmt(i.rawBatchEventsPerSec)} ev/s`, `kafkajs idempotent acks=all, same messages, same concurrency`],
    ['ingest.ratioToRawProducer', fmt(i.ratioToRawProducer, 3), 'ingest batches / raw producer batches'],
    ['ingest, single events', `${fmt(i.httpSingleEventsPerSec)} ev/s`, `${i.singleConcurrency} in flight; raw producer ${fmt(i.rawSingleEventsPerSec)} ev/s; ratio ${fmt(i.singleRatioToRawProducer, 3)}`],
    ['projection.eventsPerSec', `${fmt(p.eventsPerSec)} ev/s`, `${fmt(p.measuredEvents)} pre-loaded events, fresh group, ${fmt(p.measuredSeconds, 2)} s from first commit to last`],
    ['raw COPY, unindexed table', `${fmt(p.copy.rowsPerSec)} rows/s`, `the ${fmt(p.copy.rows)} rows the projector stored (${fmt(p.copy.bytes / 1_048_576, 1)} MiB), ${p.copy.runs.length} run(s), median`],
    ['naive INSERT + COMMIT per event', `${fmt(p.naive.rowsPerSec)} rows/s`, `${fmt(p.naive.rows)} of the same rows, one connection, table with audit_events' ${p.naive.indexes} indexes`],
    ['projection.ratioToCopy', fmt(p.ratioToCopy, 3), 'projector / raw COPY'],
    ['projection.ratioToNaive', fmt(p.ratioToNaive, 2), 'projector / naive'],
  );
  for (const [rate, run] of Object.entries(e.latency)) {
    t.push([`POST→visible at ${fmt(Number(rate))} ev/s`, `p99 ${fmt(run.visibility.p99Ms)} ms`, `p50 ${fmt(run.visibility.p50Ms)} / p95 ${fmt(run.visibility.p95Ms)} ms, ${run.visibility.samples} probes, ${run.probeTimeouts} timed out, accepted ${fmt(run.acceptedPerSec)} ev/s for ${run.seconds} s`]);
  }
  t.push(
    ['endToEnd.p99MsAt2000', `${fmt(e.p99MsAt2000)} ms`, 'poll of GET /v1/actions/:actionId (5-500 ms, 5% of elapsed)'],
    ['endToEnd.sustainedEventsPerSec', `${fmt(e.sustainedEventsPerSec)} ev/s`, `highest step held ${e.sustainedSeconds} s: ${e.steps.map((s) => `${fmt(s.rate)}${s.sustained ? '✓' : '✗'}`).join(' ')}`],
    ['escalation.p95Ms', `${fmt(r.escalation.p95Ms)} ms`, `failed event POSTed → escalation.opened on the topic; p50 ${fmt(r.escalation.p50Ms)} ms, ${r.escalation.samples} samples`],
    ['notification.p95Ms', `${fmt(r.notification.p95Ms)} ms`, `failed event POSTed → webhook received; p50 ${fmt(r.notification.p50Ms)} ms, ${r.notification.samples} samples`],
    ['query.actionsP95Ms', `${fmt(q.actionsP95Ms, 1)} ms`, `GET /v1/actions?status&tool over ${fmt(q.storedEvents)} events; p50 ${fmt(q.actionsP50Ms, 1)} ms, ${q.actions.requests} requests`],
    ['query.statsP95Ms', `${fmt(q.statsP95Ms, 1)} ms`, `GET /v1/stats over all ${fmt(q.stats.actionsCounted)} actions; p50 ${fmt(q.statsP50Ms, 1)} ms, ${q.stats.requests} requests`],
  );
  if (q.asFound && q.maintenance) {
    t.push([`  before ${q.maintenance.statements.join(', ')}`, `${fmt(q.asFound.actions.p95Ms, 1)} / ${fmt(q.asFound.stats.p95Ms, 1)} ms`, `p95 of /v1/actions / /v1/stats as found: autovacuum is ${q.autovacuum} on this server`]);
  }
  for (const [name, v] of Object.entries(r.resources.peakRssMb)) t.push([`peak RSS ${name}`, `${fmt(v, 0)} MB`, '/proc/<pid>/status VmHWM and VmRSS, sampled every 250 ms']);
  for (const [name, v] of Object.entries(r.resources.cpuSecondsPer10kEvents.endToEnd)) t.push([`CPU ${name}`, `${fmt(v, 2)} s/10k ev`, `/proc/<pid>/stat utime+stime over the end-to-end loads (${fmt(e.eventsForCpu)} events)`]);

  const targets = new Table({ head: ['target (issue 8)', 'measured', 'reached'], style: { head: [], border: [] } });
  for (const g of r.targets) targets.push([g.goal, fmt(g.value, g.value < 10 ? 3 : 0), g.met ? 'yes' : 'no']);
  return `${t.toString()}\n${targets.toString()}`;
}
