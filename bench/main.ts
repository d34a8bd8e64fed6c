import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { LedgerSystem, SERVICES, stackEnv, uniqueSuffix, WORKSPACE_ROOT, type ServiceName } from '@agent-ledger/testing';
import { SIZES, type BenchContext, type Mode } from './lib/context';
import { machine, versions } from './lib/machine';
import { REQUIRED_FIGURES, pick, renderTable, type BenchReport, type Target } from './lib/report';
import { otherProjectors } from './lib/load';
import { ResourceMonitor } from './lib/resources';
import { round } from './lib/stats';
import { endToEndPhase } from './phases/end-to-end';
import { escalationPhase } from './phases/escalation';
import { ingestPhase } from './phases/ingest';
import { projectionPhase } from './phases/projection';
import { queryPhase } from './phases/query';

const USAGE = `usage: npm run bench [-- --quick] [-- --out-dir <dir>]

Drives the built services (npm run build) against the running local stack (scripts/stack.sh up) and
the test database, prints a table and writes <out-dir>/<timestamp>.json (default bench/results).
  --quick     smaller sizes and shorter windows (under 2 minutes); the report records the sizes used
  --out-dir   where to write the JSON report`;

/** Loads .stack/env (written by scripts/stack.sh up) for the variables not already set, as the test setup does. */
function loadStackEnv(): void {
  const file = path.join(WORKSPACE_ROOT, '.stack', 'env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && process.env[m[1]] === undefined) process.env[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
}

function parseArgs(argv: string[]): { mode: Mode; outDir: string } | undefined {
  let mode: Mode = 'full';
  let outDir = path.join(WORKSPACE_ROOT, 'bench', 'results');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') mode = 'quick';
    else if (argv[i] === '--full') mode = 'full';
    else if (argv[i] === '--out-dir' && argv[i + 1]) outDir = path.resolve(argv[++i]);
    else return undefined;
  }
  return { mode, outDir };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    console.error(USAGE);
    return 2;
  }
  loadStackEnv();
  if (!process.env.TEST_DATABASE_URL) {
    console.error('TEST_DATABASE_URL is not set: run "bash scripts/stack.sh up" first (the benchmark writes only to the test database)');
    return 2;
  }
  const missing = (Object.keys(SERVICES) as ServiceName[]).filter((s) => !existsSync(path.join(WORKSPACE_ROOT, 'dist', 'apps', s, 'src', 'main.js')));
  if (missing.length) {
    console.error(`not built: ${missing.join(', ')} — run "npm run build" first`);
    return 2;
  }

  const started = new Date();
  const sizes = SIZES[args.mode];
  const stack = stackEnv();
  const log = (message: string) => process.stdout.write(`${message}\n`);
  const monitor = new ResourceMonitor();
  monitor.start();
  const db = new Client({ connectionString: stack.databaseUrl });
  const kafka = createKafka({ brokers: stack.kafkaBrokers, clientId: `bench-${uniqueSuffix()}` });
  const suffix = uniqueSuffix();
  const front = new LedgerSystem({ services: ['audit-api', 'ingest-api'], env: { 'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.0/8' } } });
  const notifierGroup = `bench-notifier-${suffix}`;
  // Production cadences (the test defaults are tighter), and the settings the notification tests use for loopback receivers.
  const back = new LedgerSystem({
    services: ['audit-projector', 'escalation-worker', 'notifier'],
    checkpointEveryEvents: 1_000,
    checkpointEveryMs: 10_000,
    env: {
      // One master key for every service of the run: subject keys wrapped by one projector must open in the next.
      'audit-projector': { LEDGER_MASTER_KEY: front.masterKey.toString('base64') },
      'escalation-worker': { ESCALATION_SETTINGS_CACHE_MS: '5000', ESCALATION_TIMER_POLL_MS: '1000' },
      notifier: {
        LEDGER_MASTER_KEY: front.masterKey.toString('base64'),
        LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32',
        NOTIFIER_GROUP_ID: notifierGroup,
        NOTIFIER_QUEUE_PREFIX: `bench-${suffix}`,
        NOTIFIER_SESSION_TIMEOUT_MS: '6000',
      },
    },
  });
  const stopAll = async () => {
    await Promise.allSettled([front.stop(), back.stop()]);
    await db.end().catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    log(`\n${signal}: stopping the services`);
    void stopAll().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  try {
    log(`agent-ledger benchmark, ${args.mode} mode, database ${new URL(stack.databaseUrl).pathname.slice(1)}`);
    await db.connect();
    const [mach, vers] = [machine(), await versions(stack.databaseUrl, stack.redisUrl)];
    await front.start();
    for (const name of ['audit-api', 'ingest-api'] as const) monitor.track({ name, pid: front.service(name).pid! });
    const tenant = await front.createTenant(`bench-${suffix}`);
    const ctx: BenchContext = { mode: args.mode, sizes, stack, db, kafka, front, tenant, monitor, log };

    const phaseStarts: Record<string, Date> = {};
    const mark = (phase: string) => {
      phaseStarts[phase] = new Date();
      log(phase);
    };
    mark('ingest');
    const ingest = await ingestPhase(ctx);
    mark('projection');
    const projection = await projectionPhase(ctx);

    await back.startKafkaGroupAtTopicEnd(notifierGroup, ESCALATIONS_TOPIC);
    await back.start();
    for (const name of ['audit-projector', 'escalation-worker', 'notifier'] as const) monitor.track({ name, pid: back.service(name).pid! });
    mark('escalation');
    const esc = await escalationPhase(ctx, back);
    mark('query');
    const query = await queryPhase(ctx);
    mark('endToEnd');
    const admin = kafka.admin();
    await admin.connect();
    const services = [
      ...(['ingest-api', 'audit-api'] as const).map((name) => ({ name, pid: front.service(name).pid! })),
      ...(['audit-projector', 'escalation-worker', 'notifier'] as const).map((name) => ({ name, pid: back.service(name).pid! })),
    ];
    const endToEnd = await endToEndPhase(ctx, {
      ingestUrl: front.url('ingest-api'),
      apiUrl: front.url('audit-api'),
      ingestKey: tenant.apiKeys.ingest,
      readKey: tenant.apiKeys.read,
      db,
      admin,
      projectorGroup: back.projectorGroup,
      services,
    }).finally(() => admin.disconnect());
    monitor.stop();
    phaseStarts.end = new Date();
    if (process.env.BENCH_SERVICE_LOGS) for (const name of ['audit-projector', 'escalation-worker', 'notifier'] as const) writeFileSync(`${process.env.BENCH_SERVICE_LOGS}.${name}.log`, back.service(name).logs());

    // Other projectors on the same database store the same events and contend for the same rows.
    const phases = Object.keys(phaseStarts).filter((p) => p !== 'end');
    const contention: Record<string, string[]> = {};
    for (const phase of phases) {
      const others = await otherProjectors(db, [projection.group, back.projectorGroup], phaseStarts[phase]);
      if (others.length) contention[phase] = others;
    }
    const finished = new Date();
    const targets: Target[] = [
      { figure: 'projection.ratioToCopy', goal: 'projection >= 50% of raw COPY', value: projection.ratioToCopy, met: projection.ratioToCopy >= 0.5 },
      { figure: 'endToEnd.sustainedEventsPerSec', goal: '>= 10,000 events/s sustained end to end', value: endToEnd.sustainedEventsPerSec, met: endToEnd.sustainedEventsPerSec >= 10_000 },
      { figure: 'endToEnd.p99MsAt2000', goal: 'p99 POST-to-visible <= 500 ms at 2,000 events/s', value: endToEnd.p99MsAt2000, met: endToEnd.p99MsAt2000 <= 500 },
      { figure: 'escalation.p95Ms', goal: 'escalation p95 <= 1 s', value: esc.escalation.p95Ms, met: esc.escalation.p95Ms <= 1_000 },
      { figure: 'query.actionsP95Ms', goal: `GET /v1/actions p95 <= 100 ms over ${query.storedEvents.toLocaleString('en-US')} events`, value: query.actions.p95Ms, met: query.actions.p95Ms <= 100 },
      { figure: 'query.statsP95Ms', goal: `GET /v1/stats p95 <= 100 ms over ${query.storedEvents.toLocaleString('en-US')} events`, value: query.stats.p95Ms, met: query.stats.p95Ms <= 100 },
    ];
    const report: BenchReport = {
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationSeconds: round((finished.getTime() - started.getTime()) / 1_000, 1),
      mode: args.mode,
      sizes,
      machine: mach,
      versions: vers,
      database: new URL(stack.databaseUrl).pathname.slice(1),
      contention: { otherProjectorGroupsActiveSincePhaseStart: contention, note: 'projectors of other runs on the same database during the run: figures may be lower than on an idle stack' },
      ingest,
      projection,
      endToEnd,
      escalation: { ...esc.escalation, sent: esc.samples, measuredAs: 'POST /v1/events of one action.failed (destructive tool, new session) → escalation.opened consumed from agent-ledger.escalations.v1' },
      notification: { ...esc.notification, sent: esc.samples, measuredAs: 'the same POST → the notifier’s webhook received by an HTTP server on 127.0.0.1', afterOpenedMs: esc.notifyAfterOpenedMs },
      query: { ...query, actionsP50Ms: query.actions.p50Ms, actionsP95Ms: query.actions.p95Ms, statsP50Ms: query.stats.p50Ms, statsP95Ms: query.stats.p95Ms },
      resources: {
        peakRssMb: Object.fromEntries(Object.entries(monitor.peakRss()).map(([name, v]) => [name, v.peakRssMb])),
        cpuSecondsPer10kEvents: {
          endToEnd: endToEnd.cpuSecondsPer10kEvents,
          ingest: { 'ingest-api': ingest.ingestApiCpuSecondsPer10kEvents },
          projection: { 'audit-projector': projection.projectorCpuSecondsPer10kEvents },
        },
        machineBusyDuringLoads: Object.fromEntries([
          ...Object.entries(endToEnd.latency).map(([rate, run]) => [`latency@${rate}`, run.machineBusy]),
          ...endToEnd.steps.map((s) => [`sustained@${s.rate}`, s.run.machineBusy]),
        ]),
      },
      targets,
    };
    const incomplete = REQUIRED_FIGURES.filter((f) => typeof pick(report, f) !== 'number' || !Number.isFinite(pick(report, f) as number));
    mkdirSync(args.outDir, { recursive: true });
    const file = path.join(args.outDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`\n${renderTable(report)}`);
    if (Object.keys(contention).length) log(`\nwarning: other projectors were storing events on ${report.database} during: ${Object.keys(contention).join(', ')} — re-run on an idle stack for clean figures`);
    log(`\nreport: ${path.relative(process.cwd(), file) || file} (${report.durationSeconds} s, ${args.mode} mode)`);
    if (incomplete.length) {
      console.error(`figures missing or not finite: ${incomplete.join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    monitor.stop();
    await stopAll();
  }
}
