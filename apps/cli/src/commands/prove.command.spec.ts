import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson } from '@agent-ledger/contracts';
import { GENESIS_HASH, inclusionProof, leafHash, rootOfLeafHashes, signCheckpoint, signingKeyId, type SigningKey } from '@agent-ledger/integrity';
import { json, runCliAgainst, type FakeRequest } from '../cli.fixtures';
import { ExitCode } from '../errors/cli.error';
import { INCLUSION_BUNDLE_FORMAT, type InclusionBundle } from '../verify/proof-bundles';

function keyPair(): SigningKey & { spki: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: signingKeyId(publicKey), spki: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') };
}

/** A small tenant log as the server holds it: 7 chained events (two subjects), their tree and a signed tree head. */
function ledger(key = keyPair()) {
  const tenantId = randomUUID();
  let prev = GENESIS_HASH;
  const rows = Array.from({ length: 7 }, (_, i) => {
    const eventId = randomUUID();
    const eventJson = canonicalJson({ eventId, tenantId, type: 'action.executed', subjectId: `subject-${i % 2}`, payload: { note: `secret of event ${i}` } });
    const hash = createHash('sha256').update(prev).update(eventJson, 'utf8').digest();
    const row = { eventId, partition: 0, chainSeq: String(i + 1), prevHash: prev.toString('hex'), hash: hash.toString('hex'), eventJson };
    prev = hash;
    return row;
  });
  const leaves = rows.map((r) => leafHash(Buffer.from(r.hash, 'hex')));
  const read = ({ level, index }: { level: number; index: number }) => rootOfLeafHashes(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
  const treeHead = signCheckpoint(
    { checkpointId: randomUUID(), tenantId, createdAt: '2026-12-05T10:00:00.000Z', heads: [{ partition: 0, chainSeq: '7', hash: rows[6].hash }], tree: { size: '7', rootHash: rootOfLeafHashes(leaves).toString('hex') } },
    key,
  );
  const answer = (i: number) => ({
    eventId: rows[i].eventId,
    leafIndex: i,
    treeSize: 7,
    rootHash: treeHead.tree!.rootHash,
    leafHash: leaves[i].toString('hex'),
    hashes: inclusionProof(i, 7, read).map((h) => h.toString('hex')),
    event: { partition: 0, chainSeq: rows[i].chainSeq, prevHash: rows[i].prevHash, hash: rows[i].hash, eventJson: rows[i].eventJson },
    treeHead,
  });
  return { key, rows, answer, treeHead };
}

describe('agent-ledger prove / verify-bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prove-'));
  const l = ledger();
  const api = (r: FakeRequest) => {
    const i = l.rows.findIndex((row) => row.eventId === r.url.searchParams.get('eventId'));
    return r.url.pathname === '/v1/proofs/inclusion' && i >= 0 ? json(l.answer(i)) : json({ error: { status: 404, code: 'event_not_in_tree', message: 'no such event', field: 'eventId' } }, 404);
  };
  const prove = (i: number, out: string, extra: string[] = []) => runCliAgainst(['prove', l.rows[i].eventId, '--out', out, '--public-key', l.key.spki, ...extra], api);
  const verify = (file: string, extra: string[] = []) => runCliAgainst(['verify-bundle', file, ...extra], api);
  const edited = (file: string, edit: (b: InclusionBundle) => void) => {
    const b = JSON.parse(readFileSync(file, 'utf8')) as InclusionBundle;
    edit(b);
    const out = join(dir, `edited-${randomUUID()}.json`);
    writeFileSync(out, JSON.stringify(b));
    return out;
  };

  it('writes a bundle that verifies offline, holding this event and hashes only (no other event or subject)', async () => {
    const out = join(dir, 'b3.json');
    const r = await prove(3, out);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests.map((q) => q.url.pathname)).toEqual(['/v1/proofs/inclusion']);
    const text = readFileSync(out, 'utf8');
    const bundle = JSON.parse(text) as InclusionBundle;
    expect(bundle.format).toBe(INCLUSION_BUNDLE_FORMAT);
    expect(bundle.event.eventJson).toBe(l.rows[3].eventJson);
    for (const [i, row] of l.rows.entries()) {
      if (i === 3) continue;
      expect(text).not.toContain(row.eventId);
      expect(text).not.toContain(`secret of event ${i}`);
    }
    const ok = await verify(out, ['--public-key', l.key.spki]);
    expect(ok.code).toBe(ExitCode.Ok);
    expect(ok.requests).toEqual([]);
    expect(ok.stdout).toMatch(/^ok: event .* is leaf 3 of the 7-leaf log/m);
    expect(ok.stdout).toContain('(trusted)');
  });

  it('rejects a modified event, a wrong tree size, a forged tree head and a key that is not trusted', async () => {
    const out = join(dir, 'b5.json');
    expect((await prove(5, out)).code).toBe(ExitCode.Ok);
    const cases: [string, string, RegExp][] = [
      ['modified event', edited(out, (b) => (b.event.eventJson = b.event.eventJson.replace('secret of event 5', 'edited'))), /does not hash to its stored hash/],
      ['modified event and hash', edited(out, (b) => {
        b.event.eventJson = b.event.eventJson.replace('secret of event 5', 'edited');
        b.event.hash = createHash('sha256').update(Buffer.from(b.event.prevHash, 'hex')).update(b.event.eventJson).digest('hex');
      }), /does not lead to the signed root/],
      ['wrong tree size', edited(out, (b) => (b.proof.treeSize = 6)), /tree of 6 leaves, the signed tree head has 7/],
      ['wrong leaf index', edited(out, (b) => (b.proof.leafIndex = 4)), /does not lead to the signed root/],
      ['forged root', edited(out, (b) => (b.treeHead.tree!.rootHash = '00'.repeat(32))), /signature does not verify/],
    ];
    for (const [what, file, problem] of cases) {
      const r = await verify(file, ['--public-key', l.key.spki]);
      expect([what, r.code]).toEqual([what, ExitCode.VerificationFailed]);
      expect(r.stdout).toMatch(problem);
    }
    // A whole other log (another key signs a forked history) is refused once the real key is pinned.
    const forger = ledger();
    const forged = join(dir, 'forged.json');
    const f = await runCliAgainst(['prove', forger.rows[1].eventId, '--out', forged, '--public-key', forger.key.spki], () => json(forger.answer(1)));
    expect(f.code).toBe(ExitCode.Ok);
    expect((await verify(forged)).code).toBe(ExitCode.Ok);
    const pinned = await verify(forged, ['--public-key', l.key.spki]);
    expect(pinned.code).toBe(ExitCode.VerificationFailed);
    expect(pinned.stdout).toMatch(/is not one of the trusted keys/);
  });

  it('refuses to prove without a public key, or when no signed tree head covers the event yet', async () => {
    expect((await runCliAgainst(['prove', l.rows[0].eventId], api)).code).toBe(ExitCode.Usage);
    const unsigned = await runCliAgainst(['prove', l.rows[0].eventId, '--out', join(dir, 'x.json'), '--public-key', l.key.spki], () => json({ ...l.answer(0), treeHead: null }));
    expect(unsigned.code).toBe(ExitCode.Unverified);
    expect(unsigned.stderr).toMatch(/no signed tree head/);
    const other = await runCliAgainst(['prove', l.rows[0].eventId, '--out', join(dir, 'y.json'), '--public-key', keyPair().spki], api);
    expect(other.code).toBe(ExitCode.VerificationFailed);
  });

  it('names an unreadable bundle', async () => {
    expect((await verify(join(dir, 'missing.json'))).code).toBe(ExitCode.LocalFile);
    const notJson = join(dir, 'not.json');
    writeFileSync(notJson, 'nope');
    expect((await verify(notJson)).code).toBe(ExitCode.VerificationFailed);
  });
});
