import { anActionEventInput, freePort, LedgerSystem, waitFor, type HttpAnswer, type TestTenant } from '@agent-ledger/testing';

interface VerifyBody {
  ok: boolean;
  status: 'ok' | 'unverified' | 'failed';
  eventsChecked: number;
  uncovered: { partition: number; fromSeq: string; toSeq: string; events: number }[];
  unverifiedReasons: string[];
  newestCheckpointAge: number | null;
  witness: 'read' | 'unavailable' | 'not_configured';
  merkle: { treeSize: number; leavesChecked: number; treeHeadsChecked: number };
  firstFailure?: { kind: string; partition?: number; chainSeq?: string; checkpointId?: string; leafIndex?: number; treeSize?: number; reason: string };
  failures: { kind: string; partition?: number; chainSeq?: string; checkpointId?: string; leafIndex?: number; treeSize?: number }[];
}

interface Case {
  tenant: TestTenant;
  /** The chain tampered with: the partition of the tenant's `main` session, and its rows' chain_seq in order. */
  partition: number;
  seqs: number[];
}

/**
 * The tamper drill: the attacker owns the database (the superuser, append-only triggers off) and
 * edits, deletes, inserts, reorders and truncates one tenant's rows, cuts a chain's tail together
 * with the checkpoints that signed it, or changes a leaf hash in the tenant's Merkle tiles. Each
 * time GET /v1/integrity/verify — reading the checkpoint witness as well (LEDGER_WITNESS_URL) —
 * answers failed and names the first bad position. A tenant with rows and no checkpoint is
 * unverified, never ok; so is any tenant when the witness is away.
 *
 * Checkpoints are written when the test says so: the projector checkpoints every 10 minutes (and
 * every 100 events of a tenant), and once more for every tenant when it stops (SIGTERM).
 */
describe('tamper drill', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector', 'checkpoint-witness'], checkpointEveryMs: 600_000 });
  const names = ['edit', 'query-column', 'delete', 'insert', 'reorder', 'tail', 'tail-and-checkpoints', 'partition', 'merkle', 'control'] as const;
  const cases = {} as Record<(typeof names)[number], Case>;
  /** audit-api reading the witness; audit-api pointed at a witness that is not there. */
  let withWitness: string;
  let witnessAway: string;
  let tailCheckpointId: string;

  const verify = (apiUrl: string, c: Case): Promise<HttpAnswer<VerifyBody>> => system.http<VerifyBody>('GET', `${apiUrl}/v1/integrity/verify`, { key: c.tenant.apiKeys.read });

  /** 8 signals of session `main` (one chain) and 8 of other sessions (other chains). */
  async function post(tenant: TestTenant, label: string): Promise<number> {
    const events = Array.from({ length: 16 }, (_, i) => anActionEventInput({ type: 'signal.rate_limited', sessionId: i < 8 ? 'main' : `${label}-${i}` }));
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    return events.length;
  }

  async function chainOfMain(tenantId: string): Promise<{ partition: number; seqs: number[] }> {
    const { rows } = await system.db.query(
      `SELECT kafka_partition AS partition, chain_seq::int AS seq FROM audit_events
        WHERE tenant_id = $1 AND kafka_partition = (SELECT kafka_partition FROM audit_events WHERE tenant_id = $1 AND session_id = 'main' LIMIT 1)
        ORDER BY chain_seq`,
      [tenantId],
    );
    return { partition: rows[0].partition, seqs: rows.map((r) => r.seq) };
  }

  /** Stops the projector with SIGTERM (it checkpoints every tenant with new rows), starts it again, waits for the witness. */
  async function checkpointNow(tenants: TestTenant[]): Promise<void> {
    await system.restart('audit-projector', 'SIGTERM');
    for (const t of tenants) {
      await system.waitForCheckpointAtHeads(t.tenantId);
      const { rows } = await system.db.query(`SELECT id::text AS id FROM checkpoints WHERE tenant_id = $1`, [t.tenantId]);
      await waitFor(
        async () => {
          const held = await (await fetch(`${system.url('checkpoint-witness')}/v1/checkpoints/${t.tenantId}`)).text();
          return rows.every((r) => held.includes(r.id));
        },
        { timeoutMs: 30_000, what: `the witness holding every checkpoint of ${t.tenantId}` },
      );
    }
  }

  /** Runs SQL as the attacker: the superuser, with the append-only triggers off for this transaction only. */
  async function asAttacker(statements: [string, unknown[]][]): Promise<void> {
    await system.db.query('BEGIN');
    try {
      await system.db.query(`SET LOCAL session_replication_role = replica`);
      for (const [sql, params] of statements) expect((await system.db.query(sql, params)).rowCount).toBeGreaterThan(0);
      await system.db.query('COMMIT');
    } catch (err) {
      await system.db.query('ROLLBACK');
      throw err;
    }
  }

  /** chain_heads set to the last remaining row of the chain (the attacker covering the cut). */
  const fixHead = (c: Case): [string, unknown[]] => [
    `UPDATE chain_heads h SET chain_seq = last.chain_seq, hash = last.hash
       FROM (SELECT chain_seq, hash FROM audit_events WHERE tenant_id = $1 AND kafka_partition = $2 ORDER BY chain_seq DESC LIMIT 1) last
      WHERE h.tenant_id = $1 AND h.kafka_partition = $2`,
    [c.tenant.tenantId, c.partition],
  ];
  const inChain = `tenant_id = $1 AND kafka_partition = $2`;

  beforeAll(async () => {
    await system.start();
    withWitness = (await system.startInstance('audit-api', { LEDGER_WITNESS_URL: system.url('checkpoint-witness') })).url;
    witnessAway = (await system.startInstance('audit-api', { LEDGER_WITNESS_URL: `http://127.0.0.1:${await freePort()}`, LEDGER_WITNESS_TIMEOUT_MS: '2000' })).url;
    const tenants = await Promise.all(names.map((n) => system.createTenant(`tamper-${n}-${system.suffix}`)));
    try {
      for (const [i, t] of tenants.entries()) await system.waitForStored(t.tenantId, 1 + (await post(t, names[i]))); // + the tenant.created change
    } catch (err) {
      // The projector's output says why (e.g. a batch of another suite's events it keeps retrying).
      throw new Error(`${(err as Error).message}\n--- audit-projector output ---\n${system.service('audit-projector').logs().slice(-3_000)}`);
    }
    await checkpointNow(tenants);
    // A later checkpoint over more rows: the one the attacker will delete together with the rows it signed.
    const tail = tenants[names.indexOf('tail-and-checkpoints')];
    const before = await system.countStored(tail.tenantId);
    await system.waitForStored(tail.tenantId, before + (await post(tail, 'more')));
    await checkpointNow([tail]);
    for (const [i, t] of tenants.entries()) cases[names[i]] = { tenant: t, ...(await chainOfMain(t.tenantId)) };
    for (const n of names) {
      const answer = await verify(withWitness, cases[n]);
      expect({ n, status: answer.status, body: answer.body.status, witness: answer.body.witness }).toEqual({ n, status: 200, body: 'ok', witness: 'read' });
    }
    const { rows } = await system.db.query(`SELECT id::text AS id FROM checkpoints WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 1`, [tail.tenantId]);
    tailCheckpointId = rows[0].id;
  }, 240_000);

  afterAll(() => system.stop());

  it('should name the edited row when a row event_json was changed', async () => {
    const c = cases.edit;
    const seq = c.seqs[2];
    await asAttacker([[`UPDATE audit_events SET event_json = replace(event_json, 'rate_limited', 'rate_limitex') WHERE ${inChain} AND chain_seq = $3`, [c.tenant.tenantId, c.partition, seq]]]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { kind: 'hash_mismatch', partition: c.partition, chainSeq: String(seq) } });
  });

  it('should name the row and the column when a query column of the typed fields was changed (the filters would lie)', async () => {
    const c = cases['query-column'];
    const seq = c.seqs[3];
    await asAttacker([[`UPDATE audit_events SET agent_name = 'Trusted bot' WHERE ${inChain} AND chain_seq = $3`, [c.tenant.tenantId, c.partition, seq]]]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({
      ok: false,
      status: 'failed',
      firstFailure: { kind: 'derived_mismatch', partition: c.partition, chainSeq: String(seq), reason: 'columns differ from event_json: agent_name' },
    });
  });

  it('should name the row after the gap when a middle row was deleted', async () => {
    const c = cases.delete;
    const seq = c.seqs[2];
    await asAttacker([[`DELETE FROM audit_events WHERE ${inChain} AND chain_seq = $3`, [c.tenant.tenantId, c.partition, seq]]]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { kind: 'sequence_gap', partition: c.partition, chainSeq: String(seq + 1) } });
    expect(answer.body.firstFailure?.reason).toContain(`rows ${seq}..${seq} are missing`);
  });

  it('should name the position when a row was inserted into a chain', async () => {
    const c = cases.insert;
    const seq = c.seqs[2];
    await asAttacker([
      [
        `INSERT INTO audit_events (tenant_id, event_id, kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, action_id, session_id, agent_id, actor_id, tool_name,
                                   risk_level, approval_decision, subject_id, resource_type, resource_id, occurred_at, received_at, recorded_at, event_json)
         SELECT tenant_id, gen_random_uuid(), kafka_partition, kafka_offset, chain_seq, prev_hash, hash, type, action_id, session_id, agent_id, actor_id, tool_name,
                risk_level, approval_decision, subject_id, resource_type, resource_id, occurred_at, received_at, recorded_at + interval '1 millisecond', event_json
           FROM audit_events WHERE ${inChain} AND chain_seq = $3`,
        [c.tenant.tenantId, c.partition, seq],
      ],
    ]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { partition: c.partition, chainSeq: String(seq) } });
    expect(answer.body.failures.map((f) => f.kind)).toContain('sequence_duplicate');
  });

  it('should name the first moved row when two rows were swapped', async () => {
    const c = cases.reorder;
    const [a, b] = [c.seqs[2], c.seqs[3]];
    const swap = `UPDATE audit_events SET chain_seq = $4 WHERE ${inChain} AND chain_seq = $3`;
    await asAttacker([
      [swap, [c.tenant.tenantId, c.partition, a, -a]],
      [swap, [c.tenant.tenantId, c.partition, b, a]],
      [swap, [c.tenant.tenantId, c.partition, -a, b]],
    ]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { kind: 'prev_hash_mismatch', partition: c.partition, chainSeq: String(a) } });
  });

  it('should report the cut tail when the last rows were deleted and chain_heads moved back', async () => {
    const c = cases.tail;
    const keep = c.seqs[c.seqs.length - 3];
    await asAttacker([[`DELETE FROM audit_events WHERE ${inChain} AND chain_seq > $3`, [c.tenant.tenantId, c.partition, keep]], fixHead(c)]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { kind: 'truncated', partition: c.partition, chainSeq: String(keep + 1) } });
  });

  it('should report the cut tail from the witness when the checkpoints that signed it were deleted too', async () => {
    const c = cases['tail-and-checkpoints'];
    const { rows } = await system.db.query(
      `SELECT (h->>'chainSeq')::int AS seq FROM checkpoints, jsonb_array_elements(heads) h
        WHERE tenant_id = $1 AND (h->>'partition')::int = $2 ORDER BY created_at LIMIT 1`,
      [c.tenant.tenantId, c.partition],
    );
    const firstSigned: number = rows[0].seq;
    expect(firstSigned).toBeLessThan(c.seqs[c.seqs.length - 1]);
    await asAttacker([
      [`DELETE FROM audit_events WHERE ${inChain} AND chain_seq > $3`, [c.tenant.tenantId, c.partition, firstSigned]],
      fixHead(c),
      [`DELETE FROM checkpoints WHERE tenant_id = $1 AND created_at > (SELECT min(created_at) FROM checkpoints WHERE tenant_id = $1)`, [c.tenant.tenantId]],
    ]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { kind: 'truncated', partition: c.partition, chainSeq: String(firstSigned + 1), checkpointId: tailCheckpointId } });
    expect(answer.body.failures).toContainEqual(expect.objectContaining({ kind: 'checkpoint_missing', checkpointId: tailCheckpointId }));
    // The database alone no longer shows the cut: its remaining checkpoint covers what is left.
    expect((await verify(system.url('audit-api'), c)).body.status).not.toBe('failed');
  });

  it('should report a whole chain missing when every row of one Kafka partition was deleted', async () => {
    const c = cases.partition;
    await asAttacker([
      [`DELETE FROM audit_events WHERE ${inChain}`, [c.tenant.tenantId, c.partition]],
      [`DELETE FROM chain_heads WHERE ${inChain}`, [c.tenant.tenantId, c.partition]],
    ]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { kind: 'truncated', partition: c.partition, chainSeq: '1' } });
  });

  it('should name the leaf and the signed tree head when a leaf hash in the Merkle tiles was changed', async () => {
    const c = cases.merkle;
    const seq = c.seqs[2];
    const before = await verify(withWitness, c);
    expect(before.body.merkle).toEqual({ treeSize: 17, leavesChecked: 17, treeHeadsChecked: expect.any(Number) });
    expect(before.body.merkle.treeHeadsChecked).toBeGreaterThan(0);
    const { rows } = await system.db.query(`SELECT leaf_index::int AS leaf FROM merkle_leaves WHERE ${inChain} AND chain_seq = $3`, [c.tenant.tenantId, c.partition, seq]);
    const leaf: number = rows[0].leaf;
    // One bit of the leaf's hash in its level-0 tile; the only-grow trigger is off for the attacker.
    await asAttacker([
      [
        `UPDATE merkle_tiles SET hashes = set_byte(hashes, $3 * 32, get_byte(hashes, $3 * 32) # 1) WHERE tenant_id = $1 AND level = 0 AND tile_index = $2`,
        [c.tenant.tenantId, Math.floor(leaf / 256), leaf % 256],
      ],
    ]);

    const answer = await verify(withWitness, c);

    expect(answer.body).toMatchObject({ ok: false, status: 'failed', firstFailure: { kind: 'merkle_leaf_mismatch', partition: c.partition, chainSeq: String(seq), leafIndex: leaf } });
    expect(answer.body.failures).toContainEqual(expect.objectContaining({ kind: 'merkle_root_mismatch', treeSize: 17 }));
    expect(answer.body.failures).toContainEqual(expect.objectContaining({ kind: 'tree_head_root_mismatch', treeSize: 17 }));
  });

  it('should answer unverified, never ok, when a tenant has rows and no checkpoint', async () => {
    const tenant = await system.createTenant(`tamper-unsigned-${system.suffix}`);
    await system.waitForStored(tenant.tenantId, 1 + (await post(tenant, 'unsigned')));
    const c: Case = { tenant, partition: 0, seqs: [] };

    for (const url of [withWitness, system.url('audit-api')]) {
      const answer = await verify(url, c);
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({ ok: false, status: 'unverified', eventsChecked: 17, newestCheckpointAge: null, failures: [] });
      expect(answer.body.uncovered.reduce((n, u) => n + u.events, 0)).toBe(17);
    }
  });

  it('should answer unverified with the reason when the witness cannot be reached', async () => {
    const control = await verify(withWitness, cases.control);
    const answer = await verify(witnessAway, cases.control);

    expect(control.body).toMatchObject({ ok: true, status: 'ok', witness: 'read' });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ ok: false, status: 'unverified', witness: 'unavailable', failures: [] });
    expect(answer.body.unverifiedReasons.join(' ')).toMatch(/checkpoint witness could not be read/);
  });
});
