import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { anActionEventInput, LedgerSystem, type TestTenant } from '@agent-ledger/testing';
import { cleanEnv, runCli } from '../cli/cli-runner';
import { signedTreeSize as signedTreeHeadSize } from './signed-tree-heads';

interface TreeHeadFile {
  tree: { size: string; rootHash: string };
  tenantId: string;
}

/**
 * Offline consistency bundles through the real services and the `agent-ledger` bin: two signed tree
 * heads of different sizes, `prove-consistency` writes the bundle, `verify-bundle` checks it without
 * the server (and against the inclusion bundle the auditor kept from the older head).
 */
describe('agent-ledger prove-consistency / verify-bundle against the running ledger', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  let tenant: TestTenant;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let firstSize = 0;
  let secondSize = 0;
  const eventIds: string[] = [];
  const file = (name: string) => path.join(dir, name);
  const cli = (...args: string[]) => runCli([...args], env);
  const pinned = () => ['--public-key', system.publicKeyBase64];

  const post = async (n: number) => {
    const events = Array.from({ length: n }, () => anActionEventInput({ eventId: randomUUID(), sessionId: `s-${randomUUID().slice(0, 8)}` }));
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    eventIds.push(...events.map((e) => e.eventId as string));
  };
  const signedTreeSize = (min: number) => signedTreeHeadSize(system, tenant.tenantId, min);
  const json = async <T>(name: string) => JSON.parse(await readFile(file(name), 'utf8')) as T;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`consistency-${system.suffix}`);
    dir = await mkdtemp(path.join(tmpdir(), 'agent-ledger-consistency-'));
    env = cleanEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: tenant.apiKeys.read });
    await post(12);
    await system.waitForStored(tenant.tenantId, 12);
    firstSize = await signedTreeSize(12);
    // The auditor keeps an inclusion bundle against the older signed head.
    const kept = await cli('prove', eventIds[4], '--tree-size', String(firstSize), '--out', file('kept.json'), ...pinned());
    expect([kept.code, kept.stderr]).toEqual([0, expect.stringMatching(/^wrote .*kept\.json/)]);
    await post(9);
    secondSize = await signedTreeSize(firstSize + 9);
  });

  afterAll(async () => {
    await system.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('writes a bundle from the older signed head to the newest one that verify-bundle accepts offline', async () => {
    const r = await cli('prove-consistency', String(firstSize), '--out', file('grew.json'), ...pinned());
    expect([r.code, r.stderr]).toEqual([0, expect.stringMatching(new RegExp(`^wrote .*grew\\.json: tenant ${tenant.tenantId}, tree of ${firstSize} leaves`))]);
    const bundle = await json<{ format: string; from: TreeHeadFile; to: TreeHeadFile; hashes: string[] }>('grew.json');
    expect(bundle.format).toBe('agent-ledger.consistency-bundle.v1');
    expect(bundle.from.tree.size).toBe(String(firstSize));
    expect(Number(bundle.to.tree.size)).toBeGreaterThanOrEqual(secondSize);
    expect(bundle.hashes.length).toBeGreaterThan(0);

    // Offline: no LEDGER_URL, no key, the server's address unreachable.
    const offline = await runCli(['verify-bundle', file('grew.json'), '--json', ...pinned()], cleanEnv({ LEDGER_URL: 'http://127.0.0.1:9' }));
    expect(offline.code).toBe(0);
    expect(JSON.parse(offline.stdout)).toMatchObject({ ok: true, problems: [], keyPinned: true, tenantId: tenant.tenantId, fromSize: firstSize, toSize: Number(bundle.to.tree.size) });

    const exact = await cli('prove-consistency', String(firstSize), '--to', String(secondSize), '--out', file('exact.json'), ...pinned());
    expect(exact.code).toBe(0);
    expect((await json<{ to: TreeHeadFile }>('exact.json')).to.tree.size).toBe(String(secondSize));
    const text = await cli('verify-bundle', file('exact.json'), ...pinned());
    expect([text.code, text.stdout]).toEqual([0, expect.stringContaining(`ok: the ${secondSize}-leaf log of tenant ${tenant.tenantId}`)]);
  });

  it('fails with exit code 1 naming the problem when a copy was tampered with', async () => {
    const bundle = await json<{ hashes: string[]; to: TreeHeadFile }>('exact.json');
    const flipped = { ...bundle, hashes: bundle.hashes.map((h, i) => (i === 0 ? `${h[0] === 'a' ? 'b' : 'a'}${h.slice(1)}` : h)) };
    await writeFile(file('tampered.json'), JSON.stringify(flipped));
    const r = await cli('verify-bundle', file('tampered.json'), ...pinned());
    expect([r.code, r.stdout, r.stderr]).toEqual([1, expect.stringMatching(new RegExp(`FAILED: .*tampered\\.json\\n  the consistency proof does not show the signed ${firstSize}-leaf tree a prefix of the signed ${secondSize}-leaf tree`)), expect.stringMatching(/the bundle does not verify \(1 problem\)/)]);
    await writeFile(file('resized.json'), JSON.stringify({ ...bundle, to: { ...bundle.to, tree: { ...bundle.to.tree, size: String(secondSize + 1) } } }));
    const resized = await cli('verify-bundle', file('resized.json'), ...pinned());
    expect([resized.code, resized.stdout]).toEqual([1, expect.stringContaining('the to tree head signature does not verify')]);
  });

  it('checks --previous: the inclusion bundle kept from the older head passes, a forged one fails', async () => {
    const ok = await cli('verify-bundle', file('exact.json'), '--previous', file('kept.json'), ...pinned());
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringContaining("is this bundle's from: the log only grew since")]);

    const fromKept = await cli('prove-consistency', '--from-bundle', file('kept.json'), '--to', String(secondSize), '--out', file('from-kept.json'), ...pinned());
    expect(fromKept.code).toBe(0);
    expect((await cli('verify-bundle', file('from-kept.json'), '--previous', file('kept.json'), ...pinned())).code).toBe(0);

    const kept = await json<{ treeHead: TreeHeadFile }>('kept.json');
    const other = (await json<{ to: TreeHeadFile }>('exact.json')).to.tree.rootHash;
    await writeFile(file('forged.json'), JSON.stringify({ ...kept, treeHead: { ...kept.treeHead, tree: { ...kept.treeHead.tree, rootHash: other } } }));
    const forged = await cli('verify-bundle', file('exact.json'), '--previous', file('forged.json'), ...pinned());
    expect([forged.code, forged.stdout]).toEqual([1, expect.stringMatching(new RegExp(`the previous bundle's signed root of ${firstSize} leaves .* is not this bundle's from root .*: the log was rewritten since`))]);
  });

  it('names a size that no checkpoint signed', async () => {
    const { rows } = await system.db.query(
      `SELECT s AS size FROM generate_series(1, $2::int) s WHERE NOT EXISTS (SELECT 1 FROM checkpoints c WHERE c.tenant_id = $1 AND c.tree_size = s) LIMIT 1`,
      [tenant.tenantId, secondSize],
    );
    const unsigned = rows[0].size as number;
    const r = await cli('prove-consistency', String(unsigned), '--to', String(secondSize), '--out', file('unsigned.json'), ...pinned());
    expect([r.code, r.stderr]).toEqual([8, expect.stringContaining(`no signed tree head of ${unsigned} leaves`)]);
  });
});
