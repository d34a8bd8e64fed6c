import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson, checkpointsCodec, type Checkpoint } from '@agent-ledger/contracts';
import { parseStoredCheckpoint, signCheckpoint, signingKeyId } from '@agent-ledger/integrity';
import { createKafka } from '@agent-ledger/kafka';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { cleanEnv, runCli } from '../cli/cli-runner';

/**
 * The checkpoint witness (apps/checkpoint-witness) against the real write path: it holds the
 * checkpoints the database holds, survives SIGKILL without losing or duplicating any, refuses forged
 * ones, and lets `agent-ledger verify --witness` detect a database rolled back by its administrator.
 */
describe('checkpoint witness', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector', 'checkpoint-witness'], checkpointEveryEvents: 25, checkpointEveryMs: 300 });
  let tenant: TestTenant;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`witness-${system.suffix}`);
  });

  afterAll(() => system.stop());

  const witnessUrl = () => system.url('checkpoint-witness');
  const tenantFile = () => path.join(system.witnessDir, `${tenant.tenantId}.jsonl`);
  const linesOf = (text: string) => text.split('\n').filter(Boolean);
  const fileLines = async () => linesOf(await readFile(tenantFile(), 'utf8').catch(() => ''));
  const httpLines = async () => linesOf(await (await fetch(`${witnessUrl()}/v1/checkpoints/${tenant.tenantId}`)).text());

  /**
   * The tenant's checkpoints as the database holds them, as canonical JSON lines, oldest first: those
   * of this system's key (a projector of another suite running at the same time may store some of
   * the tenant's events and sign them with its own key, which the witness rightly refuses).
   */
  async function dbCheckpoints(): Promise<string[]> {
    const { rows } = await system.db.query(`SELECT payload, signature FROM checkpoints WHERE tenant_id = $1 AND key_id = $2 ORDER BY created_at, id`, [
      tenant.tenantId,
      signingKeyId(system.signing.publicKey),
    ]);
    return rows.map((r) => canonicalJson(parseStoredCheckpoint(r.payload, r.signature)));
  }

  async function post(n: number, label: string): Promise<void> {
    const events = Array.from({ length: n }, (_, i) => anActionEventInput({ actionId: `${label}-${i}`, sessionId: `s-${label}` }));
    for (let i = 0; i < events.length; i += 50) expect((await system.postEvents(tenant.apiKeys.ingest, { events: events.slice(i, i + 50) })).status).toBe(202);
  }

  /** Waits until every checkpoint of the database is in the witness's file. */
  async function waitForWitnessToCatchUp(): Promise<void> {
    await system.waitForCheckpointAtHeads(tenant.tenantId);
    await waitFor(
      async () => {
        const held = new Set(await fileLines());
        return (await dbCheckpoints()).every((l) => held.has(l));
      },
      { timeoutMs: 60_000, what: 'the witness holding every checkpoint of the database' },
    ).catch(async (err: Error) => {
      const held = new Set(await fileLines());
      const missing = (await dbCheckpoints()).filter((l) => !held.has(l)).length;
      const logs = (name: 'checkpoint-witness' | 'audit-projector', pattern: RegExp) =>
        system.service(name).logs().split('\n').filter((l) => pattern.test(l)).slice(-5).map((l) => l.slice(0, 600)).join('\n');
      const refused = linesOf(await readFile(path.join(system.witnessDir, 'refused.jsonl'), 'utf8').catch(() => '')).filter((l) => l.includes(tenant.tenantId));
      throw new Error(
        `${err.message}: ${missing} missing of ${held.size} held, ${refused.length} of the tenant refused ${refused[0]?.slice(0, 300) ?? ''}\n` +
          `--- witness ---\n${logs('checkpoint-witness', /"level":(4|5)0/)}\n--- projector ---\n${logs('audit-projector', /checkpoint/i)}`,
      );
    });
  }

  async function metric(name: string, labels: string): Promise<number> {
    const text = await (await fetch(`${witnessUrl()}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
    return line ? Number(line.split(' ').pop()) : 0;
  }

  it('should hold in its file and answer over HTTP the same signed checkpoints as the database when events are posted', async () => {
    await post(120, 'a');
    await system.waitForStored(tenant.tenantId, 121, 120_000);
    await waitForWitnessToCatchUp();
    const db = await dbCheckpoints();
    expect(db.length).toBeGreaterThan(1);
    expect(await fileLines()).toEqual(db);
    const answer = await fetch(`${witnessUrl()}/v1/checkpoints/${tenant.tenantId}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toContain('application/x-ndjson');
    expect(linesOf(await answer.text())).toEqual(db);
    expect((await fetch(`${witnessUrl()}/v1/checkpoints/${randomUUID()}`)).status).toBe(200);
    const bad = await fetch(`${witnessUrl()}/v1/checkpoints/not-a-tenant`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'validation_failed', field: 'tenantId' } });
  });

  it('should lose and duplicate no checkpoint when the witness is SIGKILLed while checkpoints are published', async () => {
    let posting = true;
    const load = (async () => {
      for (let round = 0; posting; round++) {
        await post(30, `k${round}`);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    const before = (await dbCheckpoints()).length;
    await waitFor(async () => (await dbCheckpoints()).length >= before + 4, { timeoutMs: 30_000, what: 'checkpoints flowing' });
    await system.restart('checkpoint-witness', 'SIGKILL');
    await new Promise((r) => setTimeout(r, 1_500));
    posting = false;
    await load;
    await waitForWitnessToCatchUp();
    const file = await fileLines();
    expect(file).toEqual(await dbCheckpoints());
    expect(new Set(file.map((l) => (JSON.parse(l) as Checkpoint).checkpointId)).size).toBe(file.length);
    expect(await httpLines()).toEqual(file);
  });

  it('should refuse and not store as trusted a forged checkpoint published directly to the topic', async () => {
    const [last] = (await fileLines()).slice(-1).map((l) => JSON.parse(l) as Checkpoint);
    const raised = { ...last, checkpointId: randomUUID(), createdAt: new Date().toISOString(), heads: last.heads.map((h) => ({ ...h, chainSeq: String(BigInt(h.chainSeq) + 1_000n) })) };
    const otherKey = generateKeyPairSync('ed25519');
    const foreign = signCheckpoint({ ...raised, checkpointId: randomUUID() }, { ...otherKey, keyId: signingKeyId(otherKey.publicKey) });
    const kafka = createKafka({ clientId: `witness-test-${system.suffix}`, brokers: system.stack.kafkaBrokers });
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({ topic: checkpointsCodec.topic, messages: [checkpointsCodec.encode(raised), checkpointsCodec.encode(foreign)] });
    } finally {
      await producer.disconnect();
    }
    await waitFor(
      async () => {
        const refused = linesOf(await readFile(path.join(system.witnessDir, 'refused.jsonl'), 'utf8').catch(() => ''));
        const ids = refused.map((l) => JSON.parse(l) as { checkpointId?: string; code: string });
        return ids.some((r) => r.checkpointId === raised.checkpointId && r.code === 'bad_signature') && ids.some((r) => r.checkpointId === foreign.checkpointId && r.code === 'unknown_key');
      },
      { timeoutMs: 20_000, what: 'both forged checkpoints refused' },
    );
    const held = [...(await fileLines()), ...(await httpLines())].map((l) => (JSON.parse(l) as Checkpoint).checkpointId);
    expect(held).not.toContain(raised.checkpointId);
    expect(held).not.toContain(foreign.checkpointId);
    expect(await metric('ledger_witness_refused_total', 'code="bad_signature"')).toBeGreaterThanOrEqual(1);
  });

  it('should detect with verify --witness a database whose tail rows and later checkpoints were deleted by a superuser', async () => {
    // The state to roll back to: the newest checkpoint now. Then more events and checkpoints.
    await waitForWitnessToCatchUp();
    const rollbackTo = JSON.parse((await dbCheckpoints()).slice(-1)[0]) as Checkpoint;
    const stored = await system.countStored(tenant.tenantId);
    await post(80, 'b');
    await system.waitForStored(tenant.tenantId, stored + 80, 120_000);
    await waitForWitnessToCatchUp();
    const cliEnv = cleanEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: tenant.apiKeys.read, LEDGER_SIGNING_PUBLIC_KEY: system.publicKeyBase64 });
    const before = await runCli(['verify', '--witness', witnessUrl()], cliEnv);
    expect({ code: before.code, stdout: before.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^ok: /) });

    // The administrator rolls the database back to `rollbackTo`: rows past its heads, the
    // checkpoints after it, and the chain heads — consistent again on its own.
    await system.service('audit-projector').stop();
    await system.db.query('BEGIN');
    try {
      await system.db.query(`SET LOCAL session_replication_role = replica`);
      const signed = new Map(rollbackTo.heads.map((h) => [h.partition, h]));
      const { rows: heads } = await system.db.query(`SELECT kafka_partition AS partition FROM chain_heads WHERE tenant_id = $1`, [tenant.tenantId]);
      for (const { partition } of heads as { partition: number }[]) {
        const head = signed.get(partition);
        await system.db.query(`DELETE FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 AND chain_seq > $3`, [tenant.tenantId, partition, head?.chainSeq ?? '0']);
        if (head) await system.db.query(`UPDATE chain_heads SET chain_seq = $3, hash = decode($4, 'hex') WHERE tenant_id = $1 AND kafka_partition = $2`, [tenant.tenantId, partition, head.chainSeq, head.hash]);
        else await system.db.query(`DELETE FROM chain_heads WHERE tenant_id = $1 AND kafka_partition = $2`, [tenant.tenantId, partition]);
      }
      await system.db.query(`DELETE FROM checkpoints WHERE tenant_id = $1 AND created_at > $2`, [tenant.tenantId, rollbackTo.createdAt]);
      await system.db.query('COMMIT');
    } catch (err) {
      await system.db.query('ROLLBACK');
      throw err;
    }

    const server = await runCli(['verify'], cliEnv);
    expect({ code: server.code, stdout: server.stdout }).toEqual({ code: 0, stdout: expect.stringMatching(/^ok: /) });
    const overHttp = await runCli(['verify', '--witness', witnessUrl()], cliEnv);
    expect({ code: overHttp.code, stdout: overHttp.stdout }).toEqual({ code: 1, stdout: expect.stringMatching(/^FAILED: /) });
    const fromDir = await runCli(['verify', '--witness', system.witnessDir], cliEnv);
    expect(fromDir.code).toBe(1);
    expect(fromDir.stderr).toContain(`of tenant ${tenant.tenantId} from ${system.witnessDir}`);
  });
});
