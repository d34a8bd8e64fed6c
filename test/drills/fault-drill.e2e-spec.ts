import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { anActionEventInput, httpStatus, LedgerSystem, waitFor, WORKSPACE_ROOT, type ServiceName, type TestTenant } from '@agent-ledger/testing';
import { ACTION_EVENTS_TOPIC } from '@agent-ledger/contracts';
import { createKafka } from '@agent-ledger/kafka';
import { Client } from 'pg';
import { LoadGenerator, tally, type EventOutcome } from './load-generator';

const run = promisify(execFile);

/**
 * The fault drill: a steady load through ingest while every service is SIGKILLed once (and
 * restarted), PostgreSQL is restarted and the broker is stopped for 15 s. Every event answered 202
 * must be stored exactly once, no answer may be a 500, the tenant's chains must verify, and every
 * service must be ready again. Knobs: FAULT_DRILL_SECONDS (least load duration, default 90),
 * FAULT_DRILL_RATE (events/s, default 1000), FAULT_DRILL_FAULTS (any of kill,postgres,broker).
 */
const SECONDS = Number(process.env.FAULT_DRILL_SECONDS ?? 90);
const RATE = Number(process.env.FAULT_DRILL_RATE ?? 1_000);
const FAULTS = new Set((process.env.FAULT_DRILL_FAULTS ?? 'kill,postgres,broker').split(','));
const BROKER_DOWN_MS = 15_000;
const RECOVERY_UNDER_LOAD_MS = 30_000;
const SERVICES: ServiceName[] = ['ingest-api', 'audit-projector', 'escalation-worker', 'notifier', 'audit-api'];
/** Sits in the input of most events: it must never appear in a service's output. */
const PAYLOAD_MARKER = `drill-payload-${Date.now().toString(36)}`;

interface Fault {
  name: string;
  startedAt: number;
  endedAt: number;
}

describe('fault drill', () => {
  const system = new LedgerSystem({ services: SERVICES });
  const db = new Client({ connectionString: system.stack.databaseUrl });
  let tenant: TestTenant;

  beforeAll(async () => {
    await system.start().catch(async (err: Error) => {
      const health = await Promise.all(SERVICES.map(async (s) => `${s}: ${JSON.stringify((await system.http('GET', `${system.url(s)}/health/ready`).catch((e: Error) => ({ body: e.message }))).body)}`));
      throw new Error(`${err.message.slice(0, 3_000)}\n${health.join('\n')}`);
    });
    // The system's own connection dies with the PostgreSQL restart; checks below use their own.
    system.db.on('error', () => undefined);
    tenant = await system.createTenant(`drill-${system.suffix}`);
  });

  afterAll(async () => {
    await db.end().catch(() => undefined);
    await system.stop();
  });

  it('should store every event answered 202 exactly once, answer no 500 and verify when services, PostgreSQL and the broker fail under load', async () => {
    const load = new LoadGenerator({
      url: `${system.url('ingest-api')}/v1/events`,
      key: tenant.apiKeys.ingest,
      ratePerSecond: RATE,
      batchSize: 100,
      makeEvent: (i) =>
        anActionEventInput({ type: i % 5 === 4 ? 'action.executed' : 'action.attempted', sessionId: `drill-${i % 200}`, ...(i % 5 === 4 ? {} : { input: { orderId: PAYLOAD_MARKER, n: i } }) }),
    }).start();

    const faults: Fault[] = [];
    const fault = async (name: string, act: () => Promise<void>) => {
      const startedAt = load.elapsed();
      await act();
      faults.push({ name, startedAt, endedAt: load.elapsed() });
    };
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

    await pause(3_000);
    if (FAULTS.has('kill')) {
      for (const name of SERVICES) {
        await fault(`SIGKILL ${name}`, () => killAndRestart(name));
        await pause(2_000);
      }
    }
    if (FAULTS.has('postgres')) {
      await fault('restart PostgreSQL', () => restartPostgres());
      await pause(3_000);
    }
    if (FAULTS.has('broker')) {
      await fault('stop the broker 15 s', async () => {
        await run('bash', ['scripts/stack.sh', 'stop', 'kafka'], { cwd: WORKSPACE_ROOT, timeout: 60_000 });
        await pause(BROKER_DOWN_MS);
        await run('bash', ['scripts/stack.sh', 'start', 'kafka'], { cwd: WORKSPACE_ROOT, timeout: 180_000 });
      });
    }
    // The load goes on after the last fault, so that recovery under load is part of the drill.
    await pause(Math.max(SECONDS * 1_000 - load.elapsed(), RECOVERY_UNDER_LOAD_MS));
    const loadSeconds = load.elapsed() / 1_000;
    await load.stop();

    // Afterwards: what was stored, counted by event id with an independent connection.
    await db.connect();
    const outcomes = [...load.outcomes.entries()];
    const accepted = outcomes.filter(([, o]) => o.status === 202).map(([id]) => id);
    const catchUpStarted = Date.now();
    let stored = new Map<string, number>();
    await waitFor(
      async () => {
        stored = await storedCounts(tenant.tenantId);
        return accepted.every((id) => stored.has(id));
      },
      { timeoutMs: 180_000, intervalMs: 1_000, what: 'every accepted event stored' },
    ).catch(() => undefined);
    const catchUpMs = Date.now() - catchUpStarted;
    const projectorLag = await lagOf(system.projectorGroup);
    const deadLettered = await deadLetteredOf(tenant.tenantId, new Set(accepted));
    const ready = await allReady();
    await waitForCheckpointAtHeads(tenant.tenantId).catch(() => undefined);
    const verify = await system.api<{ ok: boolean; eventsChecked: number; failures?: { kind: string }[] }>('GET', '/v1/integrity/verify', tenant.apiKeys.read);

    const figures = summarize(load, outcomes.map(([, o]) => o), accepted, stored, faults);
    const failures = verify.body.failures ?? [];
    // Projectors of other suites sharing the broker also checkpoint this tenant, with keys this audit-api does not trust.
    const foreignCheckpoints = failures.filter((f) => f.kind === 'unknown_checkpoint_key').length;
    const logs = serviceLogs();
    report({
      loadSeconds,
      rate: Math.round(load.sent / loadSeconds),
      catchUpMs,
      projectorLag,
      deadLettered,
      readyMs: ready.ms,
      notReady: ready.notReady,
      verify: { status: verify.status, ok: verify.body.ok, eventsChecked: verify.body.eventsChecked, foreignCheckpoints, failures: failures.filter((f) => f.kind !== 'unknown_checkpoint_key').slice(0, 5) },
      ...figures,
      errorLogs: logs.errors,
    });

    expect(loadSeconds).toBeGreaterThanOrEqual(SECONDS);
    expect(load.sent / loadSeconds).toBeGreaterThanOrEqual(RATE * 0.95);
    expect(figures.serverErrorsOtherThan503).toEqual([]);
    expect(figures.unavailableWithoutRetryAfter).toBe(0);
    // A PostgreSQL restart is absorbed by the key and redaction caches; only Kafka may make ingest answer 503.
    expect(Object.keys(figures.answers).filter((k) => k.startsWith('503') && k !== '503 kafka_unavailable')).toEqual([]);
    // Ingest stays up: once the last fault is over it accepts events again while the load goes on.
    expect(figures.faults.at(-1)?.first202AfterMs ?? 0).toBeLessThan(RECOVERY_UNDER_LOAD_MS);
    expect(figures.missing).toBe(0);
    expect(figures.duplicates).toBe(0);
    expect(verify.status).toBe(200);
    expect(verify.body.ok || failures.every((f) => f.kind === 'unknown_checkpoint_key')).toBe(true);
    expect(logs.payloadLeaks).toEqual([]);
    expect(ready.notReady).toEqual({});
  }, 20 * 60_000);

  /**
   * SIGKILL, then a new process. A process that exits while booting is started again (twice at
   * most): a build running alongside may have been rewriting dist/ at that moment.
   */
  async function killAndRestart(name: ServiceName): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await system.restart(name, 'SIGKILL');
        return;
      } catch (err) {
        if (attempt >= 3 || system.service(name).exitCode === null) throw err;
        await new Promise((r) => setTimeout(r, 5_000));
      }
    }
  }

  /** Error lines of the services' current processes (by message), and the services whose output holds an event payload. */
  function serviceLogs(): { errors: Record<string, number>; payloadLeaks: string[] } {
    const errors: Record<string, number> = {};
    const payloadLeaks: string[] = [];
    for (const name of SERVICES) {
      const output = system.service(name).logs();
      if (output.includes(PAYLOAD_MARKER)) payloadLeaks.push(name);
      for (const line of output.split('\n')) {
        // Errors of every service; warnings of ingest (why it answered 503).
        if (!/"level":(50|60)/.test(line) && !(name === 'ingest-api' && /"level":40/.test(line))) continue;
        const msg = /"msg":"([^"]*)"/.exec(line)?.[1] ?? line.slice(0, 120);
        const cause = /"err":\{"type":"[^"]*","message":"([^"]{0,100})/.exec(line)?.[1];
        const what = `${name}: ${msg}${cause ? ` (${cause})` : ''}`;
        errors[what] = (errors[what] ?? 0) + 1;
      }
    }
    return { errors, payloadLeaks };
  }

  /** Restarts the system's PostgreSQL cluster (the newest version installed, as scripts/stack.sh finds it). */
  async function restartPostgres(): Promise<void> {
    const version = readdirSync('/etc/postgresql').sort((a, b) => Number(a) - Number(b)).at(-1);
    if (!version) throw new Error('no PostgreSQL cluster under /etc/postgresql');
    await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart', '-m', 'fast'], { timeout: 60_000 });
  }

  /** How many rows each event id of the tenant has in audit_events. */
  async function storedCounts(tenantId: string): Promise<Map<string, number>> {
    const { rows } = await db.query<{ id: string; n: number }>(`SELECT event_id::text AS id, count(*)::int AS n FROM audit_events WHERE tenant_id = $1 GROUP BY event_id`, [tenantId]);
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Messages of the action events topic the group has not stored yet (high watermarks − stored offsets). */
  async function lagOf(groupId: string): Promise<number> {
    const admin = createKafka({ clientId: `drill-${system.suffix}`, brokers: system.stack.kafkaBrokers }).admin();
    await admin.connect();
    try {
      const ends = await admin.fetchTopicOffsets(ACTION_EVENTS_TOPIC);
      const { rows } = await db.query<{ p: number; next: string }>(`SELECT kafka_partition AS p, next_offset::text AS next FROM consumer_offsets WHERE group_id = $1 AND topic = $2`, [groupId, ACTION_EVENTS_TOPIC]);
      const stored = new Map(rows.map((r) => [r.p, BigInt(r.next)]));
      return ends.reduce((sum, o) => sum + Number(BigInt(o.high) - (stored.get(o.partition) ?? 0n)), 0);
    } finally {
      await admin.disconnect();
    }
  }

  /** Accepted events of the tenant that were dead-lettered, by reason. */
  async function deadLetteredOf(tenantId: string, accepted: Set<string>): Promise<Record<string, number>> {
    const { rows } = await db.query<{ id: string; reason: string }>(`SELECT event_id AS id, reason_code AS reason FROM dead_letters WHERE tenant_id = $1`, [tenantId]);
    const counts: Record<string, number> = {};
    for (const r of rows) if (accepted.has(r.id)) counts[r.reason] = (counts[r.reason] ?? 0) + 1;
    return counts;
  }

  /** Waits until every service answers /health/ready 200; returns how long that took, or what is not ready after 90 s. */
  async function allReady(): Promise<{ ms: number; notReady: Record<string, unknown> }> {
    const started = Date.now();
    const ok = await waitFor(async () => (await Promise.all(SERVICES.map((s) => httpStatus(`${system.url(s)}/health/ready`)))).every((s) => s === 200), {
      timeoutMs: 90_000,
      intervalMs: 500,
    }).catch(() => false);
    const notReady: Record<string, unknown> = {};
    if (!ok) {
      for (const s of SERVICES) {
        const answer = await system.http('GET', `${system.url(s)}/health/ready`).catch((err: Error) => ({ status: 0, body: err.message }));
        if (answer.status !== 200) notReady[s] = answer.body;
      }
    }
    return { ms: Date.now() - started, notReady };
  }

  async function waitForCheckpointAtHeads(tenantId: string): Promise<void> {
    await waitFor(
      async () => {
        const heads = await db.query(`SELECT kafka_partition AS partition, chain_seq::text AS seq FROM chain_heads WHERE tenant_id = $1 AND chain_seq > 0 ORDER BY 1`, [tenantId]);
        const { rows } = await db.query(`SELECT heads FROM checkpoints WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1`, [tenantId]);
        if (!rows.length) return false;
        const signed = (rows[0].heads as { partition: number; chainSeq: string }[]).map((h) => ({ partition: h.partition, seq: String(h.chainSeq) }));
        return JSON.stringify(signed.sort((a, b) => a.partition - b.partition)) === JSON.stringify(heads.rows);
      },
      { timeoutMs: 60_000, what: `a checkpoint over the current chain heads of ${tenantId}` },
    );
  }
});

/** The drill's figures: answers, what was stored, and how the faults showed. */
function summarize(load: LoadGenerator, outcomes: EventOutcome[], accepted: string[], stored: Map<string, number>, faults: Fault[]) {
  const broker = faults.find((f) => f.name.startsWith('stop the broker'));
  // The broker window: from its stop until the producer is back (reconnect and metadata refresh).
  const duringBroker = (o: EventOutcome) => broker !== undefined && o.at >= broker.startedAt && o.at <= broker.endedAt + 30_000;
  const unavailable = outcomes.filter((o) => o.status === 503);
  const after = (t: number) => outcomes.filter((o) => o.status === 202 && o.at >= t).reduce((min, o) => Math.min(min, o.at), Infinity);
  return {
    sent: load.sent,
    answers: tally(outcomes),
    accepted: accepted.length,
    unavailable: unavailable.length,
    other: outcomes.filter((o) => o.status !== 202 && o.status !== 503).length,
    stored: accepted.filter((id) => stored.has(id)).length,
    missing: accepted.filter((id) => !stored.has(id)).length,
    duplicates: [...stored.values()].filter((n) => n > 1).length,
    storedOf503: [...load.outcomes.entries()].filter(([id, o]) => o.status === 503 && stored.has(id)).length,
    serverErrorsOtherThan503: [...new Set(outcomes.filter((o) => typeof o.status === 'number' && o.status >= 500 && o.status !== 503).map((o) => `${o.status} ${o.code}`))],
    unavailableWithoutRetryAfter: unavailable.filter((o) => !o.retryAfter).length,
    unavailableOutsideBrokerOutage: unavailable.filter((o) => !duringBroker(o)).length,
    peakInFlight: load.peakInFlight,
    faults: faults.map((f) => ({ ...f, first202AfterMs: after(f.endedAt) - f.endedAt })),
  };
}

function report(figures: Record<string, unknown>): void {
  process.stdout.write(`\nfault drill figures:\n${JSON.stringify(figures, null, 2)}\n`);
}
