import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { ESCALATIONS_TOPIC } from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { LedgerSystem, stackEnv, uniqueSuffix, WORKSPACE_ROOT } from '@agent-ledger/testing';
import { parseArgs, PHASES, USAGE, type Phase } from './lib/args';
import { SIZES, type BenchContext } from './lib/context';
import { machine, versions } from './lib/machine';
import { incompleteFigures, type BenchReport } from './lib/report';
import { renderTable } from './lib/render';
import { evaluateTargets } from './lib/targets';
import { otherProjectors } from './lib/load';
import { machineBusy, ResourceMonitor } from './lib/resources';
import { round, sleep } from './lib/stats';
import { endToEndPhase, type EndToEndResult } from './phases/end-to-end';
import { escalationPhase, type EscalationResult } from './phases/escalation';
import { ingestPhase, type IngestResult } from './phases/ingest';
import { projectionPhase, type ProjectionResult } from './phases/projection';
import { queryPhase, type QueryResult } from './phases/query';
import { scalingPhase, type ScalingResult } from './phases/scaling';

/** A machine busier than this before the run is reported as shared. */
const BUSY_BEFORE_START_WARNING = 0.2;

/** Phases that need the back end (projector, escalation worker, notifier) of the run. */
const NEEDS_BACK: readonly Phase[] = ['escalation', 'query', 'end-to-end'];

/** Loads .stack/env (written by scripts/stack.sh up) for the variables not already set, as the test setup does. */
function loadStackEnv(): void {
  const file = path.join(WORKSPACE_ROOT, '.stack', 'env');
  if (!existsSync(file)) return;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^(?:export\s+)?([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m && process.env[m[1]] === undefined) process.env[m[1]] = m[2].replace(/^["']|["']$/g, '');
  }
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
  // The services run from dist/: build it when a source is newer, or the figures would be of older code.
  if (spawnSync('bash', [path.join(WORKSPACE_ROOT, 'scripts', 'stack.sh'), 'build'], { stdio: 'inherit' }).status !== 0) {
    console.error('the build failed (output above): nothing was measured');
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
    const only = args.phases.length < PHASES.length ? `, phases ${args.phases.join(', ')}` : '';
    log(`agent-ledger benchmark, ${args.mode} mode${only}, database ${new URL(stack.databaseUrl).pathname.slice(1)}`);
    await db.connect();
    // How busy the machine was before the run started anything: other work on it lowers every figure.
    const idle = machineBusy();
    await sleep(2_000);
    const busyBeforeStart = round(idle(), 3);
    const [mach, vers] = [machine(), await versions(stack.databaseUrl, stack.redisUrl)];
    await front.start();
    for (const name of ['audit-api', 'ingest-api'] as const) monitor.track({ name, pid: front.service(name).pid! });
    const tenant = await front.createTenant(`bench-${suffix}`);
    const ctx: BenchContext = { mode: args.mode, sizes, stack, db, kafka, front, tenant, monitor, log };
    const runs = (phase: Phase) => args.phases.includes(phase);

    const phaseStarts: Record<string, Date> = {};
    const mark = (phase: string) => {
      phaseStarts[phase] = new Date();
      log(phase);
    };
    let ingest: IngestResult | undefined;
    let projection: ProjectionResult | undefined;
    let scaling: ScalingResult | undefined;
    let esc: EscalationResult | undefined;
    let query: QueryResult | undefined;
    let endToEnd: EndToEndResult | undefined;
    const ownGroups: string[] = [];
    if (runs('ingest')) {
      mark('ingest');
      ingest = await ingestPhase(ctx);
    }
    if (runs('projection')) {
      mark('projection');
      projection = await projectionPhase(ctx);
      ownGroups.push(projection.group);
    }
    if (runs('scaling')) {
      mark('scaling');
      scaling = await scalingPhase(ctx);
      ownGroups.push(...scaling.projectorGroups);
    }
    if (NEEDS_BACK.some(runs)) {
      await back.startKafkaGroupAtTopicEnd(notifierGroup, ESCALATIONS_TOPIC);
      await back.start();
      ownGroups.push(back.projectorGroup);
      for (const name of ['audit-projector', 'escalation-worker', 'notifier'] as const) monitor.track({ name, pid: back.service(name).pid! });
    }
    if (runs('escalation')) {
      mark('escalation');
      esc = await escalationPhase(ctx, back);
    }
    if (runs('query')) {
      mark('query');
      query = await queryPhase(ctx);
    }
    if (runs('end-to-end')) {
      mark('endToEnd');
      const admin = kafka.admin();
      await admin.connect();
      const services = [
        ...(['ingest-api', 'audit-api'] as const).map((name) => ({ name, pid: front.service(name).pid! })),
        ...(['audit-projector', 'escalation-worker', 'notifier'] as const).map((name) => ({ name, pid: back.service(name).pid! })),
      ];
      endToEnd = await endToEndPhase(ctx, {
        ingestUrl: front.url('ingest-api'),
        apiUrl: front.url('audit-api'),
        ingestKey: tenant.apiKeys.ingest,
        readKey: tenant.apiKeys.read,
        db,
        admin,
        projectorGroup: back.projectorGroup,
        services,
      }).finally(() => admin.disconnect());
    }
    monitor.stop();
    if (process.env.BENCH_SERVICE_LOGS && NEEDS_BACK.some(runs)) for (const name of ['audit-projector', 'escalation-worker', 'notifier'] as const) writeFileSync(`${process.env.BENCH_SERVICE_LOGS}.${name}.log`, back.service(name).logs());

    // Other projectors on the same database store the same events and contend for the same rows.
    const contention: Record<string, string[]> = {};
    for (const [phase, since] of Object.entries(phaseStarts)) {
      const others = await otherProjectors(db, ownGroups, since);
      if (others.length) contention[phase] = others;
    }
    const finished = new Date();
    // Seconds each phase took, up to the next phase's start (the back end's start-up counts in the first phase after it).
    const starts = Object.entries(phaseStarts);
    const phaseSeconds = Object.fromEntries(starts.map(([phase, at], i) => [phase, round(((starts[i + 1]?.[1] ?? finished).getTime() - at.getTime()) / 1_000, 1)]));
    const report: BenchReport = {
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationSeconds: round((finished.getTime() - started.getTime()) / 1_000, 1),
      phaseSeconds,
      mode: args.mode,
      phases: args.phases,
      sizes,
      machine: mach,
      versions: vers,
      database: new URL(stack.databaseUrl).pathname.slice(1),
      contention: {
        otherProjectorGroupsActiveSincePhaseStart: contention,
        machineBusyBeforeStart: busyBeforeStart,
        note: 'projectors of other runs on the same database, or a machine already busy before the run: figures may be lower than on an idle stack',
      },
      ingest,
      projection,
      scaling,
      endToEnd,
      escalation: esc && { ...esc.escalation, sent: esc.samples, measuredAs: 'POST /v1/events of one action.failed (destructive tool, new session) → escalation.opened consumed from agent-ledger.escalations.v1' },
      notification: esc && { ...esc.notification, sent: esc.samples, measuredAs: 'the same POST → the notifier’s webhook received by an HTTP server on 127.0.0.1', afterOpenedMs: esc.notifyAfterOpenedMs },
      query: query && { ...query, actionsP50Ms: query.actions.p50Ms, actionsP95Ms: query.actions.p95Ms, statsP50Ms: query.stats.p50Ms, statsP95Ms: query.stats.p95Ms },
      resources: {
        peakRssMb: Object.fromEntries(Object.entries(monitor.peakRss()).map(([name, v]) => [name, v.peakRssMb])),
        cpuSecondsPer10kEvents: {
          ...(endToEnd && { endToEnd: { ...endToEnd.cpuSecondsPer10kEvents, ...endToEnd.stackCpuSecondsPer10kEvents } }),
          ...(ingest && { ingest: { 'ingest-api': ingest.ingestApiCpuSecondsPer10kEvents } }),
          ...(projection && { projection: { 'audit-projector': projection.projectorCpuSecondsPer10kEvents } }),
        },
        machineBusyDuringLoads: Object.fromEntries([
          ...Object.entries(endToEnd?.latency ?? {}).map(([rate, run]) => [`latency@${rate}`, run.machineBusy]),
          ...(endToEnd?.steps ?? []).map((s) => [`sustained@${s.rate}`, s.run.machineBusy]),
        ]),
      },
      targets: [],
    };
    report.targets = evaluateTargets(report);
    const incomplete = incompleteFigures(report);
    mkdirSync(args.outDir, { recursive: true });
    const file = path.join(args.outDir, `${started.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    log(`\n${renderTable(report)}`);
    if (busyBeforeStart > BUSY_BEFORE_START_WARNING) log(`\nwarning: the machine was ${round(busyBeforeStart * 100)} % busy before the run started — other work shares the cores; re-run on an idle machine for clean figures`);
    if (Object.keys(contention).length) log(`\nwarning: other projectors were storing events on ${report.database} during: ${Object.keys(contention).join(', ')} — re-run on an idle stack for clean figures`);
    log(`\nreport: ${path.relative(process.cwd(), file) || file} (${report.durationSeconds} s, ${args.mode} mode; ${Object.entries(phaseSeconds).map(([p, v]) => `${p} ${v} s`).join(', ')})`);
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
