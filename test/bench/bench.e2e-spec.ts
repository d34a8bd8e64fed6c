import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

/** The figures issue 8 names; each must be a finite number backed by its raw measurements. */
const FIGURES = [
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
      execFile(process.execPath, [path.join(WORKSPACE_ROOT, 'bench', 'run.js'), '--quick', '--out-dir', outDir], { cwd: WORKSPACE_ROOT, env: process.env, maxBuffer: 16 << 20, timeout: 200_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`bench exited with ${err.code ?? err.signal}:\n${stdout.slice(-4_000)}\n${stderr.slice(-4_000)}`)) : resolve(stdout),
      );
    });
    const files = readdirSync(outDir).filter((f) => f.endsWith('.json'));
    expect(files).toHaveLength(1);
    report = JSON.parse(readFileSync(path.join(outDir, files[0]), 'utf8'));
  }, 240_000);

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
    // escalation and notification: one measurement per sample
    expect(report.escalation.rawMs.length).toBe(report.escalation.samples);
    expect(report.notification.rawMs.length).toBe(report.notification.samples);
    expect(report.escalation.samples).toBeGreaterThan(0);
    // queries: every request timed and answered 200
    expect(report.query.actions.rawMs).toHaveLength(report.sizes.query.actionsRequests);
    expect(report.query.stats.rawMs).toHaveLength(report.sizes.query.statsRequests);
    expect([report.query.actions.non200, report.query.stats.non200]).toEqual([0, 0]);
  });

  it('should report peak RSS and CPU seconds per 10,000 events for each service when it writes the report', () => {
    const services = ['ingest-api', 'audit-api', 'audit-projector', 'escalation-worker', 'notifier'];
    for (const s of services) {
      expect(report.resources.peakRssMb[s]).toBeGreaterThan(0);
      expect(Number.isFinite(report.resources.cpuSecondsPer10kEvents.endToEnd[s])).toBe(true);
    }
  });
});
