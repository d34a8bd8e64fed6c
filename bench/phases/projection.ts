import { ACTION_EVENTS_TOPIC } from '@agent-ledger/contracts';
import { LedgerSystem, uniqueSuffix } from '@agent-ledger/testing';
import type { BenchContext } from '../lib/context';
import { storedOffsets } from '../lib/load';
import { copyChunks, copyFrom } from '../lib/pg-copy';
import { backlogProgress, preloadActionEvents } from '../lib/preload';
import { cpuMeter, machineBusy, stackCpuMeter } from '../lib/resources';
import { median, round, sleep } from '../lib/stats';

const COLUMNS = [
  'tenant_id', 'event_id', 'kafka_partition', 'kafka_offset', 'chain_seq', 'prev_hash', 'hash', 'type', 'action_id', 'session_id', 'agent_id',
  'actor_id', 'tool_name', 'risk_level', 'approval_decision', 'subject_id', 'resource_type', 'resource_id', 'occurred_at', 'received_at',
  'recorded_at', 'event_json',
];

export interface ProjectionResult {
  group: string;
  events: number;
  partitions: number;
  projector: { concurrency: number; maxBatchBytes: number; checkpointEveryEvents: number; checkpointEveryMs: number };
  preloadSeconds: number;
  /** From process start to the first stored offset moving (boot, group join, assignment). */
  startupSeconds: number;
  measuredEvents: number;
  measuredSeconds: number;
  eventsPerSec: number;
  storedRows: number;
  /** Rows of the run's tenant already stored by another consumer before the projector started (0 when uncontended). */
  storedBeforeStart: number;
  progress: { t: number; done: number }[];
  projectorCpuSecondsPer10kEvents: number;
  /** CPU seconds over the projector's run (start to last commit): the projector, PostgreSQL, Kafka, Redis; and the machine's busy share. */
  cpuSeconds: Record<string, number>;
  machineBusy: number;
  copy: { rows: number; bytes: number; runs: { seconds: number; rowsPerSec: number }[]; rowsPerSec: number };
  naive: { rows: number; seconds: number; rowsPerSec: number; commitLatencyMsP50: number; indexes: number };
  ratioToCopy: number;
  ratioToNaive: number;
}

/**
 * audit-projector's throughput on a pre-loaded topic (fresh group, nothing else consuming for this
 * tenant), against the database's own limit for the same rows — a COPY into an unindexed scratch
 * table — and against the naive way: one INSERT committed per event into a table indexed like
 * audit_events.
 */
export async function projectionPhase(ctx: BenchContext): Promise<ProjectionResult> {
  const s = ctx.sizes.projection;
  const checkpointEveryEvents = 1_000;
  const checkpointEveryMs = 10_000;
  const tenant = await ctx.front.createTenant(`bench-projection-${uniqueSuffix()}`);
  // One master key for every service of the run: subject keys wrapped by one projector must open in the next.
  const system = new LedgerSystem({ services: ['audit-projector'], checkpointEveryEvents, checkpointEveryMs, env: { 'audit-projector': { LEDGER_MASTER_KEY: ctx.front.masterKey.toString('base64') } } });
  const group = system.projectorGroup;

  // The topic is pre-loaded, then the fresh group is placed where the pre-load began.
  const backlog = await preloadActionEvents(ctx.kafka, tenant.tenantId, `proj-${uniqueSuffix()}`, s.events);
  for (const [partition, offset] of backlog.starts) {
    await ctx.db.query(`INSERT INTO consumer_offsets (group_id, topic, kafka_partition, next_offset) VALUES ($1, $2, $3, $4)`, [group, ACTION_EVENTS_TOPIC, partition, offset.toString()]);
  }
  const preloadSeconds = backlog.seconds;
  const targets = backlog.ends;
  const total = backlog.messages;
  const countStored = async () =>
    (await ctx.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND agent_id = 'bench-agent'`, [tenant.tenantId])).rows[0].n as number;
  const storedBeforeStart = await countStored();
  ctx.log(`  projection: ${s.events} events pre-loaded in ${round(preloadSeconds, 1)} s; starting a projector with a fresh group`);
  const progressOf = async () => backlogProgress(backlog, await storedOffsets(ctx.db, group));

  const launched = performance.now();
  await system.start();
  const pid = system.service('audit-projector').pid!;
  ctx.monitor.track({ name: 'audit-projector (projection run)', pid });
  const cpu = cpuMeter([{ name: 'audit-projector', pid }]);
  const stackCpu = stackCpuMeter();
  const busy = machineBusy();
  const progress: { t: number; done: number }[] = [];
  let first: { t: number; done: number } | undefined;
  let finishedAt = 0;
  try {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const p = await progressOf();
      const t = (performance.now() - launched) / 1_000;
      progress.push({ t: round(t, 3), done: p.done });
      if (!first && p.done > 0) first = { t, done: p.done };
      if (p.finished) {
        finishedAt = t;
        break;
      }
      if (Date.now() > deadline) throw new Error(`the projector did not store ${total} messages within 10 minutes (${p.done} done)`);
      await sleep(50);
    }
  } finally {
    ctx.monitor.untrack('audit-projector (projection run)');
  }
  const cpuSeconds = cpu()['audit-projector'];
  const runCpu = { 'audit-projector': cpuSeconds, ...stackCpu() };
  const busyShare = round(busy(), 3);
  await system.stop();
  const storedRows = await countStored();
  if (!first) throw new Error('the projector made no progress');
  const measuredEvents = total - first.done;
  const measuredSeconds = finishedAt - first.t;
  const eventsPerSec = round(measuredEvents / measuredSeconds);
  ctx.log(`  projection: ${eventsPerSec} events/s (${measuredEvents} messages in ${round(measuredSeconds, 2)} s after the first commit)`);

  // The same rows, as the projector stored them, written by COPY and by per-event commits.
  const { rows } = await ctx.db.query({
    text: `SELECT ${COLUMNS.join(', ')} FROM audit_events WHERE tenant_id = $1 AND agent_id = 'bench-agent' ORDER BY kafka_partition, chain_seq`,
    values: [tenant.tenantId],
    rowMode: 'array',
  });
  const chunks = copyChunks(rows as unknown[][]);
  const bytes = chunks.reduce((a, c) => a + c.length, 0);
  const scratch = `bench_copy_${uniqueSuffix()}`;
  const copyRuns: { seconds: number; rowsPerSec: number }[] = [];
  for (let r = 0; r < s.copyRuns; r++) {
    await ctx.db.query(`CREATE TABLE ${scratch} (LIKE audit_events)`);
    try {
      const t0 = performance.now();
      const copied = await copyFrom(ctx.db, `COPY ${scratch} (${COLUMNS.join(', ')}) FROM STDIN`, chunks);
      const seconds = (performance.now() - t0) / 1_000;
      if (copied !== rows.length) throw new Error(`COPY wrote ${copied} rows, expected ${rows.length}`);
      copyRuns.push({ seconds: round(seconds, 3), rowsPerSec: round(rows.length / seconds) });
    } finally {
      await ctx.db.query(`DROP TABLE IF EXISTS ${scratch}`);
    }
  }
  const copyRate = median(copyRuns.map((r) => r.rowsPerSec));
  ctx.log(`  projection: raw COPY ${copyRate} rows/s`);

  const naiveTable = `bench_naive_${uniqueSuffix()}`;
  await ctx.db.query(`CREATE TABLE ${naiveTable} (LIKE audit_events INCLUDING DEFAULTS INCLUDING INDEXES)`);
  let naive: ProjectionResult['naive'];
  try {
    const indexes = (await ctx.db.query(`SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = $1`, [naiveTable])).rows[0].n as number;
    const sample = (rows as unknown[][]).slice(0, s.naiveEvents);
    const insert = `INSERT INTO ${naiveTable} (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})`;
    const each: number[] = [];
    const t0 = performance.now();
    for (const row of sample) {
      const t = performance.now();
      await ctx.db.query(insert, row); // autocommit: one INSERT, one COMMIT
      each.push(performance.now() - t);
    }
    const seconds = (performance.now() - t0) / 1_000;
    naive = { rows: sample.length, seconds: round(seconds, 3), rowsPerSec: round(sample.length / seconds), commitLatencyMsP50: round(median(each), 2), indexes };
  } finally {
    await ctx.db.query(`DROP TABLE IF EXISTS ${naiveTable}`);
  }
  ctx.log(`  projection: naive INSERT+COMMIT ${naive.rowsPerSec} rows/s`);

  return {
    group,
    events: s.events,
    partitions: targets.size,
    projector: { concurrency: 3, maxBatchBytes: 1_048_576, checkpointEveryEvents, checkpointEveryMs },
    preloadSeconds: round(preloadSeconds, 2),
    startupSeconds: round(first.t, 2),
    measuredEvents,
    measuredSeconds: round(measuredSeconds, 3),
    eventsPerSec,
    storedRows,
    storedBeforeStart,
    progress,
    projectorCpuSecondsPer10kEvents: round((cpuSeconds / total) * 10_000, 2),
    cpuSeconds: runCpu,
    machineBusy: busyShare,
    copy: { rows: rows.length, bytes, runs: copyRuns, rowsPerSec: copyRate },
    naive,
    ratioToCopy: round(eventsPerSec / copyRate, 3),
    ratioToNaive: round(eventsPerSec / naive.rowsPerSec, 2),
  };
}
