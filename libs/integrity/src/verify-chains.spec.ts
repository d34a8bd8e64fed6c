import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { canonicalJson, type Checkpoint } from '@agent-ledger/contracts';
import { deriveColumns, deriveQueryColumns, GENESIS_HASH, hashEvent, signCheckpoint, verifyChains, type SigningKey, type StoredRow } from './index';
import { signingKeyId, type TrustedKey } from './signing';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';

function signingKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: signingKeyId(publicKey) };
}

function rowFor(event: Record<string, unknown>, partition: number, chainSeq: number, prevHash: Buffer): StoredRow {
  const eventJson = canonicalJson(event);
  const d = deriveColumns(event);
  return { ...d, partition, chainSeq: BigInt(chainSeq), prevHash, hash: hashEvent(prevHash, eventJson), eventJson, occurredAt: new Date(d.occurredAt), receivedAt: new Date(d.receivedAt) };
}

function chain(partition: number, length: number, tenantId = TENANT): StoredRow[] {
  const rows: StoredRow[] = [];
  let prev = GENESIS_HASH;
  for (let seq = 1; seq <= length; seq++) {
    const event = {
      eventId: randomUUID(),
      tenantId,
      type: 'action.attempted',
      actionId: `act-${partition}-${seq}`,
      occurredAt: '2026-11-22T10:00:00.123Z',
      receivedAt: '2026-11-22T10:00:01Z',
      tool: { name: 'refund_order', riskLevel: 'destructive' },
      subject: { id: 'cust-1', pii: { $enc: 'v1', kid: 'k', iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' } },
    };
    const row = rowFor(event, partition, seq, prev);
    rows.push(row);
    prev = row.hash;
  }
  return rows;
}

function checkpointOver(key: SigningKey, chains: StoredRow[][], tenantId = TENANT, createdAt = new Date().toISOString()): Checkpoint {
  const heads = chains.map((c) => ({ partition: c[c.length - 1].partition, chainSeq: String(c[c.length - 1].chainSeq), hash: c[c.length - 1].hash.toString('hex') }));
  return signCheckpoint({ checkpointId: randomUUID(), tenantId, createdAt, heads }, key);
}

/** Rewrites a row's event and recomputes its hash (as an attacker with write access would). */
function rewrite(row: StoredRow, change: (e: Record<string, unknown>) => void, prevHash = row.prevHash): StoredRow {
  const event = JSON.parse(row.eventJson) as Record<string, unknown>;
  change(event);
  return rowFor(event, row.partition, Number(row.chainSeq), prevHash);
}

const headOf = (rows: StoredRow[], n = rows.length) => ({ tenantId: TENANT, partition: rows[0].partition, chainSeq: rows[n - 1].chainSeq, hash: rows[n - 1].hash });

describe(verifyChains.name, () => {
  const key = signingKey();

  it('should report every chain ok with its range and head when nothing was touched', async () => {
    const p0 = chain(0, 5);
    const p3 = chain(3, 2);
    const cp = checkpointOver(key, [p0, p3]);

    const report = await verifyChains([...p0, ...p3], [cp], key.publicKey);

    expect(report).toMatchObject({ ok: true, eventsChecked: 7, checkpointsChecked: 1, failures: [] });
    expect(report.firstFailure).toBeUndefined();
    expect(report.lastCheckpoint?.checkpointId).toBe(cp.checkpointId);
    expect(report.chains).toEqual([
      { tenantId: TENANT, partition: 0, fromSeq: '1', toSeq: '5', headHash: p0[4].hash.toString('hex'), events: 5 },
      { tenantId: TENANT, partition: 3, fromSeq: '1', toSeq: '2', headHash: p3[1].hash.toString('hex'), events: 2 },
    ]);
  });

  it('should accept an async stream with interleaved chains when each chain is in order', async () => {
    const a = chain(0, 300);
    const b = chain(1, 300);
    async function* interleaved() {
      for (let i = 0; i < 300; i++) {
        yield a[i];
        yield b[i];
      }
    }

    const report = await verifyChains(interleaved(), [checkpointOver(key, [a, b])], key.publicKey);

    expect(report.ok).toBe(true);
    expect(report.eventsChecked).toBe(600);
  });

  it('should name the edited row with hash_mismatch when event_json was changed in place', async () => {
    const rows = chain(0, 5);
    rows[2] = { ...rows[2], eventJson: rows[2].eventJson.replace('refund_order', 'refund_order ') };

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.ok).toBe(false);
    expect(report.firstFailure).toMatchObject({ kind: 'hash_mismatch', partition: 0, chainSeq: '3', eventId: rows[2].eventId });
  });

  it('should report prev_hash_mismatch on the next row when an edited row was re-hashed', async () => {
    const rows = chain(0, 5);
    rows[1] = rewrite(rows[1], (e) => (e.actionId = 'other'));

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'prev_hash_mismatch', chainSeq: '3', eventId: rows[2].eventId });
  });

  it('should report checkpoint_mismatch when the whole chain after an edit was recomputed', async () => {
    const rows = chain(0, 5);
    const cp = checkpointOver(key, [rows]);
    let prev = rows[0].hash;
    for (let i = 1; i < rows.length; i++) {
      rows[i] = rewrite(rows[i], (e) => (e.actionId = `forged-${i}`), prev);
      prev = rows[i].hash;
    }

    const report = await verifyChains(rows, [cp], key.publicKey);

    expect(report.failures.map((f) => f.kind)).toEqual(['checkpoint_mismatch']);
    expect(report.firstFailure).toMatchObject({ partition: 0, chainSeq: '5', checkpointId: cp.checkpointId });
  });

  it('should report sequence_gap naming the missing range when a middle row was deleted', async () => {
    const rows = chain(1, 6);
    rows.splice(3, 1);

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'sequence_gap', partition: 1, chainSeq: '5', eventId: rows[3].eventId });
    expect(report.firstFailure?.reason).toContain('rows 4..4 are missing');
  });

  it('should report sequence_duplicate when a row with an existing chain_seq was inserted', async () => {
    const rows = chain(0, 4);
    const forged = rewrite(rows[1], (e) => (e.eventId = randomUUID()));
    rows.splice(2, 0, forged);

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'sequence_duplicate', chainSeq: '2', eventId: forged.eventId });
  });

  it('should report sequence_gap when the chain does not start at 1', async () => {
    const rows = chain(0, 4).slice(1);

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'sequence_gap', chainSeq: '2' });
  });

  it('should report derived_mismatch naming the column when a query column disagrees with event_json', async () => {
    const rows = chain(0, 3);
    rows[1] = { ...rows[1], toolName: 'harmless_lookup' };
    rows[2] = { ...rows[2], occurredAt: new Date('2020-01-01T00:00:00Z') };

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.failures).toEqual([
      expect.objectContaining({ kind: 'derived_mismatch', chainSeq: '2', reason: 'columns differ from event_json: tool_name' }),
      expect.objectContaining({ kind: 'derived_mismatch', chainSeq: '3', reason: 'columns differ from event_json: occurred_at' }),
    ]);
  });

  it('should check the query columns of the typed fields when read: a changed or injected value is derived_mismatch, NULL (rows older than the columns) is not', async () => {
    const rows = chain(0, 4);
    rows[0] = { ...rows[0], ...deriveQueryColumns(JSON.parse(rows[0].eventJson)) };
    rows[1] = { ...rows[1], ...deriveQueryColumns(JSON.parse(rows[1].eventJson)), taskId: 'task-injected' };
    rows[3] = { ...rows[3], changeAction: 'delete', errorMessage: 'not what happened' };

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.failures).toEqual([
      expect.objectContaining({ kind: 'derived_mismatch', chainSeq: '2', reason: 'columns differ from event_json: task_id' }),
      expect.objectContaining({ kind: 'derived_mismatch', chainSeq: '4', reason: 'columns differ from event_json: change_action, error_message' }),
    ]);
  });

  it('should accept NULL query columns where event_json has values (rows recorded before the columns existed)', async () => {
    const event = { eventId: randomUUID(), tenantId: TENANT, type: 'task.failed', taskId: 't-1', occurredAt: '2026-11-22T10:00:00.123Z', receivedAt: '2026-11-22T10:00:01Z', agent: { id: 'a', name: 'Bot' }, error: { message: 'boom' } };
    const stored = rowFor(event, 0, 1, GENESIS_HASH);
    const columns = deriveQueryColumns(event);
    expect(columns).toMatchObject({ taskId: 't-1', agentName: 'Bot', errorMessage: 'boom' });

    const withNulls = await verifyChains([{ ...stored, ...Object.fromEntries(Object.keys(columns).map((k) => [k, null])) }], [], key.publicKey);
    const withValues = await verifyChains([{ ...stored, ...columns }], [], key.publicKey);
    const withOneWrong = await verifyChains([{ ...stored, ...columns, agentName: 'Another bot' }], [], key.publicKey);

    expect([withNulls.failures, withValues.failures]).toEqual([[], []]);
    expect(withOneWrong.failures).toEqual([expect.objectContaining({ kind: 'derived_mismatch', reason: 'columns differ from event_json: agent_name' })]);
  });

  it('should report malformed_event when event_json is not an event even though its hash matches', async () => {
    const rows = chain(0, 2);
    const json = '[1,2,3]';
    rows[1] = { ...rows[1], eventJson: json, hash: hashEvent(rows[1].prevHash, json) };

    const report = await verifyChains(rows, [], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'malformed_event', chainSeq: '2' });
  });

  it('should report truncated when rows were removed from the end of a signed chain', async () => {
    const rows = chain(2, 8);
    const cp = checkpointOver(key, [rows]);

    const report = await verifyChains(rows.slice(0, 5), [cp], key.publicKey);

    expect(report.failures).toEqual([expect.objectContaining({ kind: 'truncated', partition: 2, chainSeq: '6', checkpointId: cp.checkpointId })]);
    expect(report.firstFailure?.reason).toContain('rows 6..8 are missing');
  });

  it('should report truncated when a whole signed chain is missing', async () => {
    const p0 = chain(0, 3);
    const p1 = chain(1, 2);
    const cp = checkpointOver(key, [p0, p1]);

    const report = await verifyChains(p0, [cp], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'truncated', partition: 1, chainSeq: '1' });
  });

  it('should answer unverified naming the range when rows follow the last checkpoint, and fail a checkpoint with a bad signature', async () => {
    const rows = chain(0, 6);
    const cp = checkpointOver(key, [rows.slice(0, 4)]);
    const forged: Checkpoint = { ...cp, heads: [{ ...cp.heads[0], chainSeq: '99' }] };

    expect(await verifyChains(rows, [cp], key.publicKey)).toMatchObject({
      ok: false,
      status: 'unverified',
      failures: [],
      uncovered: [{ tenantId: TENANT, partition: 0, fromSeq: '5', toSeq: '6', events: 2 }],
    });
    const report = await verifyChains(rows, [forged], key.publicKey);
    expect(report.failures).toEqual([expect.objectContaining({ kind: 'bad_checkpoint_signature', checkpointId: cp.checkpointId })]);
    expect(report).toMatchObject({ status: 'failed', ok: false, newestCheckpointAge: null });
    expect(report.lastCheckpoint).toBeUndefined();
  });

  it('should report unknown_checkpoint_key when a checkpoint was signed by an untrusted key', async () => {
    const rows = chain(0, 2);
    const other = signingKey();

    const report = await verifyChains(rows, [checkpointOver(other, [rows])], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'unknown_checkpoint_key' });
    expect((await verifyChains(rows, [checkpointOver(other, [rows])], [key.publicKey, other.publicKey])).ok).toBe(true);
  });

  it('should report checkpoint_conflict when two valid checkpoints sign different hashes for one position', async () => {
    const rows = chain(0, 3);
    const real = checkpointOver(key, [rows]);
    const forked = signCheckpoint({ checkpointId: randomUUID(), tenantId: TENANT, createdAt: real.createdAt, heads: [{ ...real.heads[0], hash: 'f'.repeat(64) }] }, key);

    const report = await verifyChains(rows, [real, forked], key.publicKey);

    expect(report.firstFailure).toMatchObject({ kind: 'checkpoint_conflict', partition: 0, chainSeq: '3', checkpointId: forked.checkpointId });
  });

  it('should continue from an anchor when the start of the chain was archived', async () => {
    const rows = chain(0, 10);
    const early = checkpointOver(key, [rows.slice(0, 3)], TENANT, '2026-11-01T00:00:00Z');
    const late = checkpointOver(key, [rows]);
    const anchor = { tenantId: TENANT, partition: 0, chainSeq: 4, hash: rows[3].hash };

    const report = await verifyChains(rows.slice(4), [early, late], key.publicKey, { anchors: [anchor] });

    expect(report).toMatchObject({ ok: true, status: 'ok', eventsChecked: 6, uncovered: [] });
    expect(report.chains[0]).toMatchObject({ fromSeq: '5', toSeq: '10' });
    expect(report.lastCheckpoint?.checkpointId).toBe(late.checkpointId);
    const wrongAnchor = await verifyChains(rows.slice(4), [late], key.publicKey, { anchors: [{ ...anchor, hash: GENESIS_HASH }] });
    expect(wrongAnchor.firstFailure).toMatchObject({ kind: 'prev_hash_mismatch', chainSeq: '5' });
  });

  it('should keep chains of different tenants apart when they share a partition number', async () => {
    const other = '0b7c1b52-9a44-4c0e-8a77-3f5d2c1e0a99';
    const a = chain(0, 3);
    const b = chain(0, 2, other);

    const report = await verifyChains([...a, ...b], [checkpointOver(key, [a]), checkpointOver(key, [b], other)], key.publicKey);

    expect(report.ok).toBe(true);
    expect(report.chains.map((c) => [c.tenantId, c.toSeq])).toEqual([[other, '2'], [TENANT, '3']]);
  });

  describe('status', () => {

    it('should answer unverified and never ok when there is no checkpoint at all', async () => {
      const rows = chain(0, 3);

      const report = await verifyChains(rows, [], key.publicKey);
      const empty = await verifyChains([], [], key.publicKey);

      expect(report).toMatchObject({ ok: false, status: 'unverified', newestCheckpointAge: null, uncovered: [{ partition: 0, fromSeq: '1', toSeq: '3', events: 3 }] });
      expect(report.unverifiedReasons).toEqual(expect.arrayContaining([expect.stringContaining('no signed checkpoint')]));
      expect(empty).toMatchObject({ ok: false, status: 'unverified' });
    });

    it('should give the age of the newest checkpoint in seconds when measured at a given time', async () => {
      const rows = chain(0, 3);
      const old = checkpointOver(key, [rows.slice(0, 1)], TENANT, '2026-11-22T10:00:00.000Z');
      const newest = checkpointOver(key, [rows], TENANT, '2026-11-22T10:00:30.000Z');

      const report = await verifyChains(rows, [newest, old], key.publicKey, { now: new Date('2026-11-22T10:01:00.000Z') });

      expect(report).toMatchObject({ ok: true, status: 'ok', newestCheckpointAge: 30 });
      expect(report.lastCheckpoint?.checkpointId).toBe(newest.checkpointId);
    });

    it('should answer unverified with the reasons given when the rows verify but a source could not be read', async () => {
      const rows = chain(0, 2);

      const report = await verifyChains(rows, [checkpointOver(key, [rows])], key.publicKey, { unverifiedReasons: ['the checkpoint witness did not answer'] });

      expect(report).toMatchObject({ ok: false, status: 'unverified', unverifiedReasons: ['the checkpoint witness did not answer'], uncovered: [] });
    });

    it('should name the lowest bad position as the first failure when a checkpoint failure was found before it', async () => {
      const rows = chain(0, 4);
      rows[2] = { ...rows[2], eventJson: rows[2].eventJson.replace('cust-1', 'cust-2') };
      const stranger = checkpointOver(signingKey(), [rows]);

      const report = await verifyChains(rows, [stranger], key.publicKey);

      expect(report.failures[0]).toMatchObject({ kind: 'unknown_checkpoint_key' });
      expect(report.firstFailure).toMatchObject({ kind: 'hash_mismatch', partition: 0, chainSeq: '3' });
    });
  });

  describe('trusted key windows', () => {
    const windowed = (validFrom?: string, validUntil?: string): TrustedKey => ({
      keyId: key.keyId,
      publicKey: key.publicKey,
      ...(validFrom ? { validFrom: new Date(validFrom) } : {}),
      ...(validUntil ? { validUntil: new Date(validUntil) } : {}),
    });

    it('should accept a checkpoint created inside the validity window of its key', async () => {
      const rows = chain(0, 2);
      const cp = checkpointOver(key, [rows], TENANT, '2026-11-22T10:00:00.000Z');

      const report = await verifyChains(rows, [cp], [windowed('2026-11-01T00:00:00Z', '2026-12-01T00:00:00Z')]);

      expect(report.status).toBe('ok');
    });

    it('should report key_outside_validity when a checkpoint was created after its key was retired', async () => {
      const rows = chain(0, 2);
      const cp = checkpointOver(key, [rows], TENANT, '2026-11-22T10:00:00.000Z');

      const retired = await verifyChains(rows, [cp], [windowed(undefined, '2026-11-22T10:00:00.000Z')]);
      const notYet = await verifyChains(rows, [cp], [windowed('2026-11-23T00:00:00Z')]);

      expect(retired).toMatchObject({ status: 'failed', firstFailure: { kind: 'key_outside_validity', checkpointId: cp.checkpointId } });
      expect(notYet.firstFailure).toMatchObject({ kind: 'key_outside_validity' });
    });
  });

  describe('checkpoints against each other', () => {
    it('should report checkpoint_regression when a later checkpoint signs a lower chain_seq', async () => {
      const rows = chain(0, 5);
      const first = checkpointOver(key, [rows], TENANT, '2026-11-22T10:00:00.000Z');
      const later = checkpointOver(key, [rows.slice(0, 3)], TENANT, '2026-11-22T10:05:00.000Z');

      const report = await verifyChains(rows, [later, first], key.publicKey);

      expect(report).toMatchObject({ status: 'failed', firstFailure: { kind: 'checkpoint_regression', partition: 0, chainSeq: '3', checkpointId: later.checkpointId } });
    });

    it('should report checkpoint_regression when a later checkpoint leaves out a chain an earlier one signed', async () => {
      const p0 = chain(0, 2);
      const p1 = chain(1, 2);
      const first = checkpointOver(key, [p0, p1], TENANT, '2026-11-22T10:00:00.000Z');
      const later = checkpointOver(key, [p0], TENANT, '2026-11-22T10:05:00.000Z');

      const report = await verifyChains([...p0, ...p1], [first, later], key.publicKey);

      expect(report.failures).toEqual([expect.objectContaining({ kind: 'checkpoint_regression', partition: 1, checkpointId: later.checkpointId })]);
    });

    it('should accept checkpoints of one millisecond in either order when the later reaches further', async () => {
      const rows = chain(0, 5);
      const a = checkpointOver(key, [rows.slice(0, 3)], TENANT, '2026-11-22T10:00:00.000Z');
      const b = checkpointOver(key, [rows], TENANT, '2026-11-22T10:00:00.000Z');

      expect((await verifyChains(rows, [b, a], key.publicKey)).status).toBe('ok');
    });
  });

  describe('chain heads', () => {
    it('should pass when each chain_heads row names the last row', async () => {
      const rows = chain(0, 4);

      const report = await verifyChains(rows, [checkpointOver(key, [rows])], key.publicKey, { heads: [headOf(rows)] });

      expect(report.status).toBe('ok');
    });

    it('should report truncated when chain_heads reaches beyond the rows', async () => {
      const rows = chain(0, 6);

      const report = await verifyChains(rows.slice(0, 4), [], key.publicKey, { heads: [headOf(rows)] });

      expect(report.firstFailure).toMatchObject({ kind: 'truncated', partition: 0, chainSeq: '5' });
    });

    it('should report head_mismatch when chain_heads is behind the rows, names another hash, or is missing', async () => {
      const rows = chain(0, 6);
      const p1 = chain(1, 2);

      const behind = await verifyChains(rows, [], key.publicKey, { heads: [headOf(rows, 4)] });
      const otherHash = await verifyChains(rows, [], key.publicKey, { heads: [{ ...headOf(rows), hash: 'ab'.repeat(32) }] });
      const missing = await verifyChains([...rows, ...p1], [], key.publicKey, { heads: [headOf(rows)] });

      expect(behind.firstFailure).toMatchObject({ kind: 'head_mismatch', partition: 0, chainSeq: '5' });
      expect(otherHash.firstFailure).toMatchObject({ kind: 'head_mismatch', partition: 0, chainSeq: '6' });
      expect(missing.firstFailure).toMatchObject({ kind: 'head_mismatch', partition: 1, chainSeq: '1' });
    });
  });

  describe('external checkpoint log', () => {
    it('should not report checkpoints both the database and the log hold', async () => {
      const rows = chain(0, 3);
      const cp = checkpointOver(key, [rows]);

      const report = await verifyChains(rows, [cp], key.publicKey, { external: { name: 'the witness', checkpoints: [cp] } });

      expect(report).toMatchObject({ status: 'ok', checkpointsChecked: 1 });
    });

    it('should report checkpoint_missing and truncated when the tail was cut together with its later checkpoints', async () => {
      const rows = chain(0, 8);
      const early = checkpointOver(key, [rows.slice(0, 4)], TENANT, '2026-11-22T10:00:00.000Z');
      const late = checkpointOver(key, [rows], TENANT, '2026-11-22T10:05:00.000Z');
      const heads = [headOf(rows.slice(0, 4))];

      const dbOnly = await verifyChains(rows.slice(0, 4), [early], key.publicKey, { heads });
      const report = await verifyChains(rows.slice(0, 4), [early], key.publicKey, { heads, external: { name: 'the witness', checkpoints: [early, late] } });

      expect(dbOnly.status).toBe('ok');
      expect(report.status).toBe('failed');
      expect(report.failures.map((f) => f.kind)).toEqual(['checkpoint_missing', 'truncated']);
      expect(report.firstFailure).toMatchObject({ kind: 'truncated', partition: 0, chainSeq: '5', checkpointId: late.checkpointId });
    });
  });
});
