import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LedgerSystem, waitFor, WORKSPACE_ROOT, type TestTenant } from '@agent-ledger/testing';
import { installInEmptyProject, pack, run, runOk, userEnv } from './package-install';

const SDK_DIR = path.join(WORKSPACE_ROOT, 'libs', 'sdk');
const CLI_DIR = path.join(WORKSPACE_ROOT, 'apps', 'cli');
const TSC = path.join(WORKSPACE_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const versionOf = (dir: string): string => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version;

/** What a user of the SDK writes: strict TypeScript against the installed declarations only. */
const CONSUMER_TS = `import { LedgerClient, LedgerError, type ActionEventInput, type ToolRef } from '@agent-ledger/sdk';

declare const apiKey: string;
const tool: ToolRef = { name: 'refund_order', riskLevel: 'destructive' };
// @ts-expect-error riskLevel is a closed vocabulary: the declarations are real types, not any
const wrong: ToolRef = { name: 'refund_order', riskLevel: 'dangerous' };

export async function record(): Promise<string> {
  const ledger = new LedgerClient({ url: 'http://127.0.0.1:3100', apiKey, send: 'immediate' });
  const event: ActionEventInput = { type: 'signal.rate_limited', sessionId: 'conv-7' };
  try {
    await ledger.record(event);
    const agent = { id: 'support-bot', name: 'Support bot' };
    return await ledger.attempted({ sessionId: 'conv-7', agent, actor: { type: 'agent', id: agent.id }, tool, input: { orderId: 'A-1' }, approval: { required: false } });
  } catch (err) {
    if (err instanceof LedgerError) return err.code + String(err.fields.length) + String(wrong.name);
    throw err;
  } finally {
    await ledger.close();
  }
}
`;

const TSCONFIG = { compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], lib: ['es2022'], target: 'es2022', module: 'commonjs', moduleResolution: 'node' }, files: ['consumer.ts'] };

/** The script a user runs with the installed SDK (CommonJS, no TypeScript). */
const SEND_JS = `const { LedgerClient } = require('@agent-ledger/sdk');
(async () => {
  const ledger = new LedgerClient({ url: process.env.INGEST_URL, apiKey: process.env.INGEST_KEY });
  const tool = { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' };
  const actionId = await ledger.attempted({ sessionId: process.env.SESSION, tool, input: { orderId: 'A-1001' } }, { send: 'immediate' });
  await ledger.executed({ actionId, sessionId: process.env.SESSION, tool, output: { refundId: 'R-1' } });
  await ledger.close();
  console.log(actionId);
})().catch((err) => { console.error(err); process.exit(1); });
`;

/**
 * The published packages as a user gets them: `npm pack` of libs/sdk and apps/cli, each installed
 * with `npm install <tgz>` into an empty directory and used there against the real ingest-api,
 * audit-projector and audit-api.
 */
describe('npm packages installed from their tarballs', () => {
  const system = new LedgerSystem({ services: ['ingest-api', 'audit-projector', 'audit-api'] });
  const session = `p4-packages-${system.suffix}`;
  const dirs: string[] = [];
  let tenant: TestTenant;
  let sdkTarball: string;
  let cliTarball: string;

  beforeAll(async () => {
    const packs = await mkdtemp(path.join(tmpdir(), 'p4-packs-'));
    dirs.push(packs);
    sdkTarball = await pack(SDK_DIR, packs);
    cliTarball = await pack(CLI_DIR, packs);
    await system.start();
    tenant = await system.createTenant(`p4-packages-${system.suffix}`);
  }, 300_000);

  afterAll(async () => {
    await system.stop();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
  });

  describe('@agent-ledger/sdk', () => {
    let project: string;
    let actionId: string;

    beforeAll(async () => {
      project = await installInEmptyProject(sdkTarball, 'p4-sdk-');
      dirs.push(project);
    }, 180_000);

    it('should install without any repository file and without @types/node', () => {
      const installed = JSON.parse(readFileSync(path.join(project, 'node_modules', '@agent-ledger', 'sdk', 'package.json'), 'utf8'));
      expect(installed.version).toBe(versionOf(SDK_DIR));
      expect(existsSync(path.join(project, 'node_modules', '@types', 'node'))).toBe(false);
      expect(existsSync(path.join(project, 'node_modules', '@agent-ledger', 'contracts'))).toBe(false);
    });

    it('should send events that the ledger stores when required from the installed package', async () => {
      await writeFile(path.join(project, 'send.js'), SEND_JS);
      const r = await runOk(process.execPath, ['send.js'], project, userEnv({ INGEST_URL: system.url('ingest-api'), INGEST_KEY: tenant.apiKeys.ingest, SESSION: session }));
      actionId = r.stdout.trim();
      expect(actionId).toMatch(/^[0-9a-f-]{36}$/);
      await waitFor(
        async () => {
          const answer = await system.api<{ items: { event: { type: string; actionId?: string } }[] }>('GET', `/v1/events?sessionId=${session}`, tenant.apiKeys.read);
          return answer.body.items.filter((i) => i.event.actionId === actionId).length === 2;
        },
        { timeoutMs: 60_000, what: `both events of ${actionId} stored` },
      );
    });

    it('should type-check a strict consumer with types [] and skipLibCheck false against the installed declarations', async () => {
      await writeFile(path.join(project, 'consumer.ts'), CONSUMER_TS);
      await writeFile(path.join(project, 'tsconfig.json'), JSON.stringify(TSCONFIG));
      const r = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
      expect(`${r.stdout}${r.stderr}`).toBe('');
      expect(r.code).toBe(0);
    });

    it('should fail the type-check when the consumer misuses a type (the check can fail)', async () => {
      await writeFile(path.join(project, 'consumer.ts'), CONSUMER_TS.replace("sessionId: 'conv-7' };", "sessionId: 7 };"));
      const r = await run(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toContain("consumer.ts(10,");
    });

    describe('@agent-ledger/cli', () => {
      let cliProject: string;

      beforeAll(async () => {
        cliProject = await installInEmptyProject(cliTarball, 'p4-cli-');
        dirs.push(cliProject);
      }, 180_000);

      it('should install the bin and only the bundle, with no dependency', () => {
        const installed = path.join(cliProject, 'node_modules', '@agent-ledger', 'cli');
        expect(existsSync(path.join(installed, 'dist', 'cli.js'))).toBe(true);
        expect(existsSync(path.join(installed, 'src'))).toBe(false);
        const lock = JSON.parse(readFileSync(path.join(cliProject, 'package-lock.json'), 'utf8'));
        expect(Object.keys(lock.packages).filter((p) => p.startsWith('node_modules/'))).toEqual(['node_modules/@agent-ledger/cli']);
      });

      it('should print the package version and the usage through npx', async () => {
        const version = await runOk('npx', ['--no-install', 'agent-ledger', '--version'], cliProject);
        expect(version.stdout.trim()).toBe(versionOf(CLI_DIR));
        const help = await runOk('npx', ['--no-install', 'agent-ledger', '--help'], cliProject);
        expect(help.stdout).toMatch(/^Usage: agent-ledger \[options\] \[command\]/);
        expect(help.stdout).toMatch(/actions[\s\S]*verify[\s\S]*tail/);
      });

      it('should list the action the SDK recorded when agent-ledger actions runs against audit-api', async () => {
        const env = userEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: tenant.apiKeys.read });
        const r = await runOk('npx', ['--no-install', 'agent-ledger', 'actions', '--session', session, '--json'], cliProject, env);
        const actions = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as { actionId: string; status: string });
        expect(actions.map((a) => [a.actionId, a.status])).toEqual([[actionId, 'executed']]);
      });

      it('should exit with the auth code when the key is rejected', async () => {
        const env = userEnv({ LEDGER_URL: system.url('audit-api'), LEDGER_API_KEY: `alk_read_${'x'.repeat(43)}` });
        const r = await run('npx', ['--no-install', 'agent-ledger', 'actions'], cliProject, env);
        expect(r.code).toBe(4);
        expect(r.stderr).toContain('the API key was rejected');
      });
    });
  });
});
