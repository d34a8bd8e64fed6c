import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

/** The figures issues 8, 18 and 19 name; each must be a finite number backed by its raw measurements. */
const FIGURES = [
  'ingest.ratioToRawProducer',
  'ingest.ingestApiCpuSecondsPer10kEvents',
  'projection.eventsPerSec',
  'projection.ratioToCopy',
  'projection.ratioToNaive',
  'scaling.projector.ratio',
  'scaling.escalationWorker.ratio',
  'endToEnd.sustainedEventsPerSec',
  'endToEnd.p99MsAt2000',
  'endToEnd.p99MsAt5000',
  'endToEnd.pipelineCpuSecondsPer10kEvents',
  'escalation.p95Ms',
  'notification.p95Ms',
  'query.actionsP95Ms',
  'query.statsP95Ms',
  'query.statsWorstP95Ms',
];

const at = (report: unknown, dotted: string): any => dotted.split('.').reduce<any>((v, k) => (v == null ? undefined : v[k]), report);

/**
 * `npm run bench -- --quick` once, as a user runs it: a benchmark reports numbers and is not a test,
 * so this only checks that the report is complete — never how fast anything was.
 */
describe('benchmark (quick mode)', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'ledger-bench-'));
  let report: any;
  let output = '';

  beforeAll(async () => {
    output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [path.join(WORKSPACE_ROOT, 'bench', 'run.js'), '--quick', '--out-dir', outDir], { cwd: WORKSPACE_ROOT, env: process.env, maxBuffer: 16 << 20, timeout: 600_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`bench exited with ${err.code ?? err.signal}:\n${stdout.slice(-4_000)}\n${stderr.slice(-4_000)}`)) : resolve(stdout),
      );
    });
    const files = readdirSync(outDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    report = JSON.parse(readFileSync(path.join(outDir, files[0]), 'utf8'));
  }, 630_000);

  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('should report every required figure as a finite number when run in quick mode', () => {
    const missing = FIGURES.filter((f) => typeof at(report, f) !== 'number' || !Number.isFinite(at(report, f)));
    expect(missing).toEqual([]);
    expect(report.mode).toBe('quick');
    for (const f of FIGURES) expect(output).toContain(f);
  });

  it('should record the machine, the versions and the sizes used when it writes the report', () => {
    expect(report.machine).toEqual(expect.objectContaining({ cores: expect.any(Number), memoryMb: expect.any(Number), cpuModel: expect.any(String) }));
    for (const v of ['node', 'kafka', 'postgres', 'redis']) expect(report.versions[v]).toMatch(/\d+\.\d+/);
    expect(report.database).toBe(new URL(process.env.TEST_DATABASE_URL!).pathname.slice(1));
    expect(report.sizes.query.events).toBeGreaterThan(0);
    expect(report.query.storedEvents).toBeGreaterThanOrEqual(report.sizes.query.events);
  });

  it('should keep the raw measurements behind each figure when it writes the report', () => {
    // ingest: both sides of the ratio, per run
    expect(new Set(report.ingest.runs.map((r: any) => r.kind))).toEqual(new Set(['http-batch', 'raw-batch', 'http-single', 'raw-single']));
    for (const r of report.ingest.runs) expect(r).toEqual(expect.objectContaining({ events: expect.any(Number), seconds: expect.any(Number), requests: expect.any(Number) }));
    expect(report.ingest.runs.every((r: any) => r.events > 0 && r.seconds > 0)).toBe(true);
    // projection: the progress curve, the COPY runs and the naive run over the same rows
    expect(report.projection.progress.length).toBeGreaterThan(1);
    expect(report.projection.storedRows).toBe(report.sizes.projection.events);
    expect(report.projection.copy.rows).toBe(report.projection.storedRows);
    expect(report.projection.copy.runs.length).toBe(report.sizes.projection.copyRuns);
    expect(report.projection.naive.rows).toBe(report.sizes.projection.naiveEvents);
    // end to end: probes per offered load, lag samples, the steps of the sustained search
    for (const rate of report.sizes.endToEnd.loads) {
      const run = report.endToEnd.latency[String(rate)];
      expect(run.visibilityMs.length).toBe(run.visibility.samples);
      expect(run.visibility.samples).toBeGreaterThan(0);
      expect(run.lag.samples.length).toBeGreaterThan(0);
    }
    expect(report.endToEnd.steps.length).toBeGreaterThan(0);
    expect(report.endToEnd.steps.every((s: any) => typeof s.sustained === 'boolean' && s.run.lag.samples.length > 0)).toBe(true);
    // scaling: one run per instance count for each consumer, every instance a member of the group, its CPU split
    for (const series of [report.scaling.projector, report.scaling.escalationWorker]) {
      expect(series.runs.map((r: any) => r.instances)).toEqual(report.sizes.scaling.instances);
      for (const r of series.runs) {
        expect(r.members).toBe(r.instances);
        expect(r.measuredEvents).toBe(r.backlog);
        expect(r.progress.length).toBeGreaterThan(0);
        expect(Object.keys(r.cpuSeconds)).toEqual(expect.arrayContaining(['postgres', 'kafka', 'redis']));
        expect(r.peakRssMb).toHaveLength(r.instances);
      }
    }
    expect(report.scaling.partitions).toBeGreaterThan(0);
    // escalation and notification: one measurement per sample
    expect(report.escalation.rawMs.length).toBe(report.escalation.samples);
    expect(report.notification.rawMs.length).toBe(report.notification.samples);
    expect(report.escalation.samples).toBeGreaterThan(0);
    // queries: every request timed and answered 200
    expect(report.query.actions.rawMs).toHaveLength(report.sizes.query.actionsRequests);
    expect(report.query.stats.rawMs).toHaveLength(report.sizes.query.statsRequests);
    expect([report.query.actions.non200, report.query.stats.non200]).toEqual([0, 0]);
    // statistics over several windows, each timed and answered 200
    expect(report.query.statsWindows.map((w: any) => w.name)).toEqual(['whole range', 'last 24 h', '3 h 17 min from :23', 'one hour']);
    for (const w of report.query.statsWindows) {
      expect(w.rawMs).toHaveLength(report.sizes.query.statsRequests);
      expect(w.non200).toBe(0);
    }
  });

  it('should print every target of issue 18 against its figure when all phases ran', () => {
    expect(report.phases).toEqual(['ingest', 'projection', 'scaling', 'escalation', 'query', 'end-to-end']);
    const figures = report.targets.map((t: any) => t.figure);
    for (const f of ['endToEnd.sustainedEventsPerSec', 'endToEnd.pipelineCpuSecondsPer10kEvents', 'projection.eventsPerSec', 'projection.ratioToCopy', 'endToEnd.cpuSecondsPer10kEvents.escalation-worker', 'endToEnd.p99MsAt5000', 'query.statsWorstP95Ms']) {
      expect(figures).toContain(f);
    }
    for (const s of ['ingest-api', 'audit-api', 'audit-projector', 'escalation-worker', 'notifier']) expect(figures).toContain(`resources.peakRssMb.${s}`);
    for (const t of report.targets) expect(typeof t.met).toBe('boolean');
    expect(output).toMatch(/targets reached: \d+ of \d+/);
  });

  it('should report peak RSS and CPU seconds per 10,000 events for each service, the broker and the database when it writes the report', () => {
    const services = ['ingest-api', 'audit-api', 'audit-projector', 'escalation-worker', 'notifier'];
    for (const s of services) {
      expect(report.resources.peakRssMb[s]).toBeGreaterThan(0);
      expect(Number.isFinite(report.resources.cpuSecondsPer10kEvents.endToEnd[s])).toBe(true);
    }
    for (const s of ['postgres', 'kafka', 'redis']) expect(Number.isFinite(report.endToEnd.stackCpuSecondsPer10kEvents[s])).toBe(true);
  });

  it('should run only the phases named by --only and report their figures complete', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ledger-bench-only-'));
    try {
      const stdout = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, [path.join(WORKSPACE_ROOT, 'bench', 'run.js'), '--quick', '--only', 'escalation', '--out-dir', dir], { cwd: WORKSPACE_ROOT, env: process.env, maxBuffer: 16 << 20, timeout: 120_000 }, (err, out, stderr) =>
          err ? reject(new Error(`bench --only exited with ${err.code ?? err.signal}:\n${out.slice(-4_000)}\n${stderr.slice(-4_000)}`)) : resolve(out),
        );
      });
      const [file] = readdirSync(dir).filter((f) => f.endsWith('.json'));
      const only = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
      expect(only.phases).toEqual(['escalation']);
      expect(only.escalation.rawMs).toHaveLength(only.sizes.escalation.samples);
      expect([only.ingest, only.projection, only.scaling, only.query, only.endToEnd]).toEqual([undefined, undefined, undefined, undefined, undefined]);
      expect(stdout).toContain('escalation.p95Ms');
      expect(stdout).not.toContain('projection.eventsPerSec');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
