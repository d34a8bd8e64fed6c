import Table from 'cli-table3';
import { PHASES } from './args';
import { fmt, type BenchReport } from './report';

type Row = [string, string, string];

function ingestRows(r: BenchReport): Row[] {
  const i = r.ingest;
  if (!i) return [];
  return [
    ['ingest, batches of 100', `${fmt(i.httpBatchEventsPerSec)} ev/s`, `POST /v1/events, ${i.batchConcurrency} in flight, ${i.runs.length / 4} run(s) of ${i.secondsPerRun} s (median)`],
    ['raw producer, batches of 100', `${fmt(i.rawBatchEventsPerSec)} ev/s`, `kafkajs idempotent acks=all, same messages, same concurrency`],
    ['ingest.ratioToRawProducer', fmt(i.ratioToRawProducer, 3), 'ingest batches / raw producer batches'],
    ['ingest, single events', `${fmt(i.httpSingleEventsPerSec)} ev/s`, `${i.singleConcurrency} in flight; raw producer ${fmt(i.rawSingleEventsPerSec)} ev/s; ratio ${fmt(i.singleRatioToRawProducer, 3)}`],
    ['ingest.ingestApiCpuSecondsPer10kEvents', `${fmt(i.ingestApiCpuSecondsPer10kEvents, 2)} s`, '/proc/<pid>/stat utime+stime of ingest-api over the HTTP runs'],
  ];
}

function projectionRows(r: BenchReport): Row[] {
  const p = r.projection;
  if (!p) return [];
  return [
    ['projection.eventsPerSec', `${fmt(p.eventsPerSec)} ev/s`, `${fmt(p.measuredEvents)} pre-loaded events, fresh group, ${fmt(p.measuredSeconds, 2)} s from first commit to last`],
    ['raw COPY, unindexed table', `${fmt(p.copy.rowsPerSec)} rows/s`, `the ${fmt(p.copy.rows)} rows the projector stored (${fmt(p.copy.bytes / 1_048_576, 1)} MiB), ${p.copy.runs.length} run(s), median`],
    ['naive INSERT + COMMIT per event', `${fmt(p.naive.rowsPerSec)} rows/s`, `${fmt(p.naive.rows)} of the same rows, one connection, table with audit_events' ${p.naive.indexes} indexes`],
    ['projection.ratioToCopy', fmt(p.ratioToCopy, 3), 'projector / raw COPY'],
    ['projection.ratioToNaive', fmt(p.ratioToNaive, 2), 'projector / naive'],
    ['projection CPU', `${fmt(p.projectorCpuSecondsPer10kEvents, 2)} s/10k ev`, `audit-projector; over the run also ${Object.entries(p.cpuSeconds).filter(([n]) => n !== 'audit-projector').map(([n, v]) => `${n} ${fmt(v, 1)} s`).join(', ')}; machine ${fmt(p.machineBusy * 100)} % busy`],
  ];
}

function scalingRows(r: BenchReport): Row[] {
  const s = r.scaling;
  if (!s) return [];
  const rows: Row[] = [];
  for (const [label, series] of [['audit-projector', s.projector], ['escalation-worker', s.escalationWorker]] as const) {
    for (const run of series.runs) {
      rows.push([
        `scaling: ${run.instances} × ${label}`,
        `${fmt(run.eventsPerSec)} ev/s`,
        `${run.members} member(s) on ${s.partitions} partitions; CPU/10k ev: ${label} ${fmt(run.serviceCpuSecondsPer10kEvents, 2)} s, ${Object.entries(run.stackCpuSecondsPer10kEvents).map(([n, v]) => `${n} ${fmt(v, 2)}`).join(', ')}; machine ${fmt(run.machineBusy * 100)} % busy → ${run.bound}`,
      ]);
    }
    rows.push([`scaling.${label === 'audit-projector' ? 'projector' : 'escalationWorker'}.ratio`, fmt(series.ratio, 2), `${series.runs.at(-1)?.instances ?? '?'} instances / 1 instance; ${series.verdict}`]);
  }
  return rows;
}

function endToEndRows(r: BenchReport): Row[] {
  const e = r.endToEnd;
  if (!e) return [];
  const rows: Row[] = [];
  for (const [rate, run] of Object.entries(e.latency)) {
    rows.push([`POST→visible at ${fmt(Number(rate))} ev/s`, `p99 ${fmt(run.visibility.p99Ms)} ms`, `p50 ${fmt(run.visibility.p50Ms)} / p95 ${fmt(run.visibility.p95Ms)} ms, ${run.visibility.samples} probes, ${run.probeTimeouts} timed out, accepted ${fmt(run.acceptedPerSec)} ev/s for ${run.seconds} s`]);
  }
  rows.push(
    ['endToEnd.p99MsAt2000', `${fmt(e.p99MsAt2000)} ms`, 'GET /v1/actions?sessionId=<probes> every 20 ms, all probes at once'],
    ['endToEnd.p99MsAt5000', `${fmt(e.p99MsAt5000)} ms`, 'the same at 5,000 ev/s'],
    ['endToEnd.sustainedEventsPerSec', `${fmt(e.sustainedEventsPerSec)} ev/s`, `highest step held ${e.sustainedSeconds} s: ${e.steps.map((s) => `${fmt(s.rate)}${s.sustained ? '✓' : '✗'}`).join(' ')}`],
  );
  for (const [name, v] of Object.entries(e.cpuSecondsPer10kEvents)) rows.push([`CPU ${name}`, `${fmt(v, 2)} s/10k ev`, `/proc/<pid>/stat utime+stime over the end-to-end loads (${fmt(e.eventsForCpu)} events)`]);
  for (const [name, v] of Object.entries(e.stackCpuSecondsPer10kEvents)) rows.push([`CPU ${name}`, `${fmt(v, 2)} s/10k ev`, `every ${name} process, same loads (includes other clients of the shared stack)`]);
  rows.push(['endToEnd.pipelineCpuSecondsPer10kEvents', `${fmt(e.pipelineCpuSecondsPer10kEvents, 2)} s`, 'sum of the rows above: the five services, Kafka, PostgreSQL, Redis (the load generator excluded)']);
  return rows;
}

function escalationRows(r: BenchReport): Row[] {
  if (!r.escalation || !r.notification) return [];
  return [
    ['escalation.p95Ms', `${fmt(r.escalation.p95Ms)} ms`, `failed event POSTed → escalation.opened on the topic; p50 ${fmt(r.escalation.p50Ms)} ms, ${r.escalation.samples} samples`],
    ['notification.p95Ms', `${fmt(r.notification.p95Ms)} ms`, `failed event POSTed → webhook received; p50 ${fmt(r.notification.p50Ms)} ms, ${r.notification.samples} samples`],
  ];
}

function queryRows(r: BenchReport): Row[] {
  const q = r.query;
  if (!q) return [];
  const rows: Row[] = [['query.actionsP95Ms', `${fmt(q.actionsP95Ms, 1)} ms`, `GET /v1/actions?status&tool over ${fmt(q.storedEvents)} events; p50 ${fmt(q.actionsP50Ms, 1)} ms, ${q.actions.requests} requests`]];
  for (const w of q.statsWindows) {
    rows.push([`GET /v1/stats, ${w.name}`, `p95 ${fmt(w.p95Ms, 1)} ms`, `${w.from} → ${w.to}: ${fmt(w.actionsCounted)} actions; p50 ${fmt(w.p50Ms, 1)} ms, ${w.requests} requests`]);
  }
  rows.push(
    ['query.statsP95Ms', `${fmt(q.statsP95Ms, 1)} ms`, `the whole range (${fmt(q.stats.actionsCounted)} actions)`],
    ['query.statsWorstP95Ms', `${fmt(q.statsWorstP95Ms, 1)} ms`, `the worst of the ${q.statsWindows.length} windows`],
  );
  if (q.asFound && q.maintenance) {
    rows.push([`  before ${q.maintenance.statements.join(', ')}`, `${fmt(q.asFound.actions.p95Ms, 1)} / ${fmt(q.asFound.stats.p95Ms, 1)} ms`, `p95 of /v1/actions / /v1/stats (whole range) as found: autovacuum is ${q.autovacuum} on this server`]);
  }
  return rows;
}

/** The printed summary: one row per figure with what it rests on, then every target against its figure. */
export function renderTable(r: BenchReport): string {
  const t = new Table({ head: ['figure', 'value', 'measured as'], style: { head: [], border: [] } });
  t.push(...ingestRows(r), ...projectionRows(r), ...scalingRows(r), ...endToEndRows(r), ...escalationRows(r), ...queryRows(r));
  for (const [name, v] of Object.entries(r.resources.peakRssMb)) t.push([`peak RSS ${name}`, `${fmt(v, 0)} MB`, '/proc/<pid>/status VmHWM and VmRSS, sampled every 250 ms']);

  const targets = new Table({ head: ['issue', 'target', 'measured', 'reached'], style: { head: [], border: [] } });
  // Ratios to three decimals, CPU seconds to two, latencies under 10 ms to one, the rest whole.
  const digits = (v: number, unit: string) => (unit === '' ? 3 : unit === 's' ? 2 : unit === 'ms' && Math.abs(v) < 10 ? 1 : 0);
  for (const g of r.targets) targets.push([String(g.issue), g.goal, `${fmt(g.value, digits(g.value, g.unit))}${g.unit ? ` ${g.unit}` : ''}`, g.met ? 'yes' : 'no']);
  const reached = r.targets.filter((g) => g.met).length;
  return `${t.toString()}\n${targets.toString()}\ntargets reached: ${reached} of ${r.targets.length} (${r.phases.length < PHASES.length ? `phases run: ${r.phases.join(', ')}` : 'all phases'})`;
}
