import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Checkpoint } from '@agent-ledger/contracts';
import { json, runCliAgainst, type FakeRequest } from '../cli.fixtures';
import { ExitCode } from '../errors/cli.error';
import { aSigningKey, TestLog, type TestKey } from '../verify/bundle.fixtures';
import { CONSISTENCY_BUNDLE_FORMAT, type ConsistencyBundle } from '../verify/proof-bundles';


/**
 * The audit API of a tenant whose checkpoints signed its tree at `signed` sizes (`served` answers the
 * proofs); `keyOf` picks the key that signed each size (a key rotation), the log's own by default.
 */
function fakeApi(log: TestLog, signed: number[], served: TestLog = log, keyOf: (size: number) => TestKey = () => served.key) {
  const heads = new Map<number, Checkpoint>(signed.map((s) => [s, served.treeHead(s, undefined, keyOf(s))]));
  return (r: FakeRequest) => {
    if (r.url.pathname === '/v1/proofs/tree-head') {
      const newest = signed.length ? heads.get(Math.max(...signed))! : null;
      return json({ treeSize: log.size, rootHash: log.root(log.size).toString('hex'), signedTreeHead: newest });
    }
    if (r.url.pathname !== '/v1/proofs/consistency') return json({ error: { status: 404, code: 'not_found', message: 'no route' } }, 404);
    const from = Number(r.url.searchParams.get('from'));
    const to = Number(r.url.searchParams.get('to') ?? log.size);
    const root = (n: number) => served.root(n).toString('hex');
    return json({ from, to, fromRootHash: root(from), toRootHash: root(to), hashes: served.consistency(from, to), fromTreeHead: heads.get(from) ?? null, toTreeHead: heads.get(to) ?? null });
  };
}

describe('agent-ledger prove-consistency / verify-bundle', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prove-consistency-'));
  const log = new TestLog(100);
  const key = ['--public-key', log.key.spki];
  const api = fakeApi(log, [40, 64, 100]);
  const offline = () => new Response('offline', { status: 599 });
  const file = (name: string) => join(dir, name);
  const verify = (path: string, extra: string[] = []) => runCliAgainst(['verify-bundle', path, ...key, ...extra], offline);
  const edited = (path: string, edit: (b: ConsistencyBundle) => void) => {
    const b = JSON.parse(readFileSync(path, 'utf8')) as ConsistencyBundle;
    edit(b);
    const out = file(`edited-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(out, JSON.stringify(b));
    return out;
  };

  it('should write a bundle up to the newest signed tree head that verifies offline and holds no event', async () => {
    const out = file('grew.json');
    const r = await runCliAgainst(['prove-consistency', '40', '--out', out, ...key], api);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, expect.stringMatching(/^wrote .*grew\.json: tenant .*, tree of 40 leaves .* → 100 leaves/)]);
    expect(r.requests.map((q) => `${q.url.pathname}${q.url.search}`)).toEqual(['/v1/proofs/tree-head', '/v1/proofs/consistency?from=40&to=100']);
    const text = readFileSync(out, 'utf8');
    const bundle = JSON.parse(text) as ConsistencyBundle;
    expect([bundle.format, bundle.from.tree, bundle.to.tree?.size, bundle.publicKey]).toEqual([CONSISTENCY_BUNDLE_FORMAT, { size: '40', rootHash: log.root(40).toString('hex') }, '100', log.key.spki]);
    for (const row of log.rows) expect(text).not.toContain(row.eventId);

    const ok = await verify(out, ['--json']);
    expect([ok.code, ok.requests]).toEqual([ExitCode.Ok, []]);
    expect(JSON.parse(ok.stdout)).toEqual({ ok: true, problems: [], keyPinned: true, format: CONSISTENCY_BUNDLE_FORMAT, tenantId: log.tenantId, fromSize: 40, toSize: 100, fromRootHash: log.root(40).toString('hex'), toRootHash: log.root(100).toString('hex') });
    const text2 = await verify(out);
    expect(text2.stdout).toMatch(/^ok: the 100-leaf log of tenant .* extends its 40-leaf log/m);
    expect(text2.stdout).toContain('(trusted)');
  });

  it('should fail with exit code 1 naming the problem when a copy was tampered with', async () => {
    const out = file('tamper.json');
    expect((await runCliAgainst(['prove-consistency', '40', '--to', '64', '--out', out, ...key], api)).code).toBe(ExitCode.Ok);
    const cases: [string, string, RegExp][] = [
      ['proof hash', edited(out, (b) => (b.hashes[1] = '0'.repeat(64))), /does not show the signed 40-leaf tree a prefix of the signed 64-leaf tree/],
      ['to root', edited(out, (b) => (b.to.tree!.rootHash = log.root(65).toString('hex'))), /the to tree head signature does not verify/],
      ['from size', edited(out, (b) => (b.from.tree!.size = '41')), /the from tree head signature does not verify/],
      ['swapped heads', edited(out, (b) => ([b.from, b.to] = [b.to, b.from])), /the from tree head \(64 leaves\) is larger than the to tree head \(40\)/],
    ];
    for (const [what, path, problem] of cases) {
      const r = await verify(path);
      expect([what, r.code]).toEqual([what, ExitCode.VerificationFailed]);
      expect(r.stdout).toMatch(problem);
      expect(r.stderr).toMatch(/the bundle does not verify/);
    }
  });

  it('should take the older head from a kept bundle, and verify --previous against it; a forged kept bundle fails', async () => {
    const kept = file('kept-inclusion.json');
    writeFileSync(kept, JSON.stringify(log.inclusionBundle(17, 40)));
    const out = file('from-kept.json');
    const r = await runCliAgainst(['prove-consistency', '--from-bundle', kept, '--out', out, ...key], api);
    expect(r.code).toBe(ExitCode.Ok);
    expect(r.requests.at(-1)?.url.search).toBe('?from=40&to=100');
    const ok = await verify(out, ['--previous', kept]);
    expect([ok.code, ok.stdout]).toEqual([ExitCode.Ok, expect.stringContaining('is this bundle\'s from: the log only grew since')]);
    // A consistency bundle kept earlier (40 → 64) chains on to the next one (64 → 100).
    const chained = file('chained.json');
    expect((await runCliAgainst(['prove-consistency', '64', '--out', chained, ...key], api)).code).toBe(ExitCode.Ok);
    const earlier = file('earlier.json');
    expect((await runCliAgainst(['prove-consistency', '40', '--to', '64', '--out', earlier, ...key], api)).code).toBe(ExitCode.Ok);
    expect((await verify(chained, ['--previous', earlier])).code).toBe(ExitCode.Ok);

    const forged = file('forged-inclusion.json');
    writeFileSync(forged, JSON.stringify(log.forkedAt(5).inclusionBundle(17, 40)));
    const bad = await verify(out, ['--previous', forged]);
    expect(bad.code).toBe(ExitCode.VerificationFailed);
    expect(bad.stdout).toMatch(/the previous bundle's signed root of 40 leaves .* is not this bundle's from root .*: the log was rewritten since/);
    expect((await verify(chained, ['--previous', kept])).stdout).toMatch(/the previous bundle's signed tree has 40 leaves, this bundle proves from 64/);
  });

  it('should refuse to write a bundle when the server rewrote the log since the kept head, or serves a proof that does not verify', async () => {
    const kept = file('kept-before-rewrite.json');
    writeFileSync(kept, JSON.stringify(log.inclusionBundle(3, 40)));
    const rewritten = fakeApi(log, [40, 100], log.forkedAt(10));
    const out = file('never.json');
    const r = await runCliAgainst(['prove-consistency', '--from-bundle', kept, '--out', out, ...key], rewritten);
    expect([r.code, r.stderr]).toEqual([ExitCode.VerificationFailed, expect.stringMatching(/the server's proof does not verify: .*the log was rewritten since/)]);
    const broken = (q: FakeRequest) => (q.url.pathname === '/v1/proofs/consistency' ? (api(q).json() as Promise<{ hashes: string[] }>).then((b) => json({ ...b, hashes: b.hashes.slice(1) })) : api(q));
    const b = await runCliAgainst(['prove-consistency', '40', '--out', out, ...key], broken);
    expect([b.code, b.stderr]).toEqual([ExitCode.VerificationFailed, expect.stringMatching(/the server's proof does not verify/)]);
    expect(existsSync(out)).toBe(false);
  });

  it('should prove across a key rotation with both keys given, carrying the older one for the older head, and name the missing key otherwise', async () => {
    const newKey = aSigningKey();
    // The signing key was rotated after the head of 64 leaves: 40 and 64 are signed by the old key, 100 by the new one.
    const rotatedApi = fakeApi(log, [40, 64, 100], log, (size) => (size > 64 ? newKey : log.key));
    const both = ['--public-key', log.key.spki, '--public-key', newKey.spki];
    const out = file('rotated.json');
    const r = await runCliAgainst(['prove-consistency', '40', '--out', out, ...both], rotatedApi);
    expect([r.code, r.stderr]).toEqual([ExitCode.Ok, expect.stringMatching(/tree of 40 leaves .* → 100 leaves/)]);
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as ConsistencyBundle;
    expect([bundle.publicKey, bundle.fromPublicKey]).toEqual([newKey.spki, log.key.spki]);
    const ok = await runCliAgainst(['verify-bundle', out, ...both, '--json'], offline);
    expect([ok.code, JSON.parse(ok.stdout).keyPinned]).toEqual([ExitCode.Ok, true]);
    // Pinned to the new key only, the older head's key is not trusted.
    const newOnly = await runCliAgainst(['verify-bundle', out, '--public-key', newKey.spki], offline);
    expect([newOnly.code, newOnly.stdout]).toEqual([ExitCode.VerificationFailed, expect.stringContaining(`the bundle's key ${log.key.keyId} is not one of the trusted keys`)]);
    // A bundle kept from before the rotation chains on to it.
    const kept = file('kept-before-rotation.json');
    writeFileSync(kept, JSON.stringify(log.inclusionBundle(3, 40)));
    expect((await runCliAgainst(['verify-bundle', out, '--previous', kept], offline)).code).toBe(ExitCode.Ok);
    // Within one key's heads nothing changes: no fromPublicKey.
    const same = file('same-key.json');
    expect((await runCliAgainst(['prove-consistency', '40', '--to', '64', '--out', same, ...both], rotatedApi)).code).toBe(ExitCode.Ok);
    expect((JSON.parse(readFileSync(same, 'utf8')) as ConsistencyBundle).fromPublicKey).toBeUndefined();
    // Given only the new key, the CLI names the key of the older head and writes nothing.
    const missing = file('missing-key.json');
    const m = await runCliAgainst(['prove-consistency', '40', '--out', missing, '--public-key', newKey.spki], rotatedApi);
    expect([m.code, m.stderr]).toEqual([ExitCode.VerificationFailed, expect.stringContaining(`the tree head of 40 leaves is signed by key ${log.key.keyId}, none of the given public keys`)]);
    expect(existsSync(missing)).toBe(false);
  });

  it('should name a size without a signed tree head, and refuse bad arguments', async () => {
    const out = file('unsigned.json');
    const from = await runCliAgainst(['prove-consistency', '41', '--out', out, ...key], api);
    expect([from.code, from.stderr]).toEqual([ExitCode.Unverified, expect.stringMatching(/no signed tree head of 41 leaves/)]);
    const to = await runCliAgainst(['prove-consistency', '40', '--to', '99', '--out', out, ...key], api);
    expect([to.code, to.stderr]).toEqual([ExitCode.Unverified, expect.stringMatching(/no signed tree head of 99 leaves/)]);
    const none = await runCliAgainst(['prove-consistency', '40', '--out', out, ...key], fakeApi(log, []));
    expect([none.code, none.stderr]).toEqual([ExitCode.Unverified, expect.stringMatching(/no signed tree head yet/)]);
    expect(existsSync(out)).toBe(false);

    const usage = async (argv: string[]) => (await runCliAgainst(argv, api)).code;
    expect(await usage(['prove-consistency', '64', '--to', '40', ...key])).toBe(ExitCode.Usage);
    expect(await usage(['prove-consistency', ...key])).toBe(ExitCode.Usage);
    expect(await usage(['prove-consistency', '40', '--from-bundle', file('grew.json'), ...key])).toBe(ExitCode.Usage);
    expect(await usage(['prove-consistency', '0', ...key])).toBe(ExitCode.Usage);
    expect(await usage(['prove-consistency', '40'])).toBe(ExitCode.Usage);
    const inclusion = file('inclusion.json');
    writeFileSync(inclusion, JSON.stringify(log.inclusionBundle(3, 40)));
    expect((await verify(inclusion, ['--previous', inclusion])).code).toBe(ExitCode.Usage);
    writeFileSync(file('other.json'), JSON.stringify({ format: 'something.else' }));
    const other = await verify(file('other.json'));
    expect([other.code, other.stderr]).toEqual([ExitCode.VerificationFailed, expect.stringMatching(/is not a proof bundle \(format something\.else\)/)]);
  });
});
