import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { PUBLISHED_DEVELOPMENT_SECRETS } from '@agent-ledger/config';
import { generateSecrets } from '@agent-ledger/integrity';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

/**
 * Production refuses the published development secrets and missing keys (docs/keys.md): each built
 * service, started with NODE_ENV=production, exits non-zero naming every offending variable — with
 * docker-compose.yml's own environment, and with its keys left out — and passes the check with
 * freshly generated secrets.
 */

const PORT_VARS: Record<string, string> = {
  'ingest-api': 'INGEST_API_PORT',
  'audit-api': 'AUDIT_API_PORT',
  'audit-projector': 'AUDIT_PROJECTOR_PORT',
  'escalation-worker': 'ESCALATION_WORKER_PORT',
  notifier: 'NOTIFIER_PORT',
  'checkpoint-witness': 'CHECKPOINT_WITNESS_PORT',
};
const SERVICES = Object.keys(PORT_VARS).filter((s) => existsSync(entry(s)));

/** Variables each service must name when started with docker-compose.yml's environment (at least these). */
const NAMED_WITH_COMPOSE_ENV: Record<string, string[]> = {
  'ingest-api': ['DATABASE_URL'],
  'audit-api': ['DATABASE_URL', 'TENANT_DATABASE_URL', 'LEDGER_ROOT_KEY', 'LEDGER_MASTER_KEY', 'LEDGER_SIGNING_PUBLIC_KEY'],
  'audit-projector': ['DATABASE_URL', 'LEDGER_MASTER_KEY', 'LEDGER_SIGNING_KEY'],
  'escalation-worker': ['DATABASE_URL'],
  notifier: ['DATABASE_URL', 'LEDGER_MASTER_KEY'],
  'checkpoint-witness': ['LEDGER_SIGNING_PUBLIC_KEY'],
};

/** Keys each service requires in production, named when they are missing. */
const REQUIRED_KEYS: Record<string, string[]> = {
  'ingest-api': ['LEDGER_MASTER_KEY'],
  'audit-api': ['LEDGER_ROOT_KEY', 'LEDGER_MASTER_KEY', 'LEDGER_SIGNING_PUBLIC_KEY'],
  'audit-projector': ['LEDGER_MASTER_KEY', 'LEDGER_SIGNING_KEY'],
  notifier: ['LEDGER_MASTER_KEY'],
  'checkpoint-witness': ['LEDGER_SIGNING_PUBLIC_KEY'],
};

const SECRET_VARIABLES = ['LEDGER_ROOT_KEY', 'LEDGER_MASTER_KEY', 'LEDGER_PREVIOUS_MASTER_KEYS', 'LEDGER_SIGNING_KEY', 'LEDGER_SIGNING_PUBLIC_KEY'];

function entry(service: string): string {
  return path.join(WORKSPACE_ROOT, 'dist', 'apps', service, 'src', 'main.js');
}

/** A service's environment as docker-compose.yml gives it, `${X:-default}` resolved to its default. */
function composeEnv(service: string): Record<string, string> {
  const compose = parse(readFileSync(path.join(WORKSPACE_ROOT, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
    services: Record<string, { environment?: Record<string, string | number> }>;
  };
  const env = compose.services[service]?.environment ?? {};
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z0-9_]+:?-([^}]*)\}/g, '$1')]));
}

/** Variables of an environment holding a published secret: the value, a list item, or a URL's password. */
function publishedIn(env: Record<string, string>): string[] {
  const published = new Set(PUBLISHED_DEVELOPMENT_SECRETS);
  return Object.entries(env)
    .filter(([, v]) => {
      const parts = [v, ...v.split(',').map((i) => i.split(';')[0]!.trim())];
      try {
        parts.push(decodeURIComponent(new URL(v).password));
      } catch {
        // not a URL
      }
      return parts.some((p) => published.has(p));
    })
    .map(([k]) => k);
}

let nextPort = 39_000 + Math.floor(Math.random() * 2_000);

interface Run {
  code: number | null;
  output: string;
  /** Still running when the window closed (then stopped). */
  running: boolean;
}

/** Starts a built service and waits for it to exit, to log that it listens, or for `windowMs`. */
function run(service: string, env: Record<string, string>, windowMs = 20_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [entry(service)], {
      cwd: WORKSPACE_ROOT,
      env: { PATH: process.env.PATH, ...env, [PORT_VARS[service]!]: String(nextPort++) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const stop = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = setTimeout(stop, windowMs);
    const collect = (c: Buffer) => {
      output += c.toString();
      if (/listening on http/.test(output)) {
        clearTimeout(timer);
        stop();
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, output, running: signal === 'SIGKILL' });
    });
  });
}

/** The variables a config error names (`  - NAME: message` lines). */
const namedVariables = (output: string): string[] => [...output.matchAll(/^\s+- ([A-Z0-9_.]+): /gm)].map((m) => m[1]!.split('.')[0]!);

describe('production refuses the published development secrets', () => {
  it('should find the services built in dist/', () => {
    expect(SERVICES).toEqual(expect.arrayContaining(['ingest-api', 'audit-api', 'audit-projector', 'escalation-worker', 'notifier']));
  });

  describe.each(SERVICES)('%s', (service) => {
    it("should exit non-zero naming every variable holding one of docker-compose.yml's secrets when started with its environment", async () => {
      const env = { ...composeEnv(service), NODE_ENV: 'production', WITNESS_DIR: tmpdir() };
      const offending = publishedIn(env);

      const result = await run(service, env);

      expect(offending).toEqual(expect.arrayContaining(NAMED_WITH_COMPOSE_ENV[service]!));
      expect(result.running).toBe(false);
      expect(result.code).not.toBe(0);
      expect(result.output).toContain('invalid configuration');
      expect(namedVariables(result.output)).toEqual(expect.arrayContaining(offending));
      expect(result.output).toMatch(/published in docker-compose\.yml/);
      for (const secret of PUBLISHED_DEVELOPMENT_SECRETS.filter((s) => s.length > 12)) expect(result.output).not.toContain(secret);
    });

    // Only services that hold keys have missing keys to name (the escalation worker holds none).
    const required = REQUIRED_KEYS[service];
    if (required) {
      it('should exit non-zero naming each missing key when started without them', async () => {
        const env = { ...localEnv(), NODE_ENV: 'production' };

        const result = await run(service, env);

        expect(result.running).toBe(false);
        expect(result.code).not.toBe(0);
        expect(namedVariables(result.output)).toEqual(expect.arrayContaining(required));
      });
    }

    it('should pass the secret check when started with freshly generated secrets', async () => {
      const witnessDir = mkdtempSync(path.join(tmpdir(), 'witness-'));
      const env = { ...localEnv(), NODE_ENV: 'production', ...generateSecrets(), WITNESS_DIR: witnessDir };
      try {
        const result = await run(service, env, 15_000);

        // The service's logger exists only once its config was accepted (bootstrap: config first).
        expect(result.output).toContain(`"service":"${service}"`);
        const problems = namedVariables(result.output);
        expect(problems.filter((v) => SECRET_VARIABLES.includes(v) || v.endsWith('_URL'))).toEqual([]);
        expect(result.output).not.toMatch(/published in docker-compose\.yml|is required when NODE_ENV=production/);
      } finally {
        rmSync(witnessDir, { recursive: true, force: true });
      }
    });
  });
});

/**
 * Connections that answer nothing (closed ports), so a service that passes its config check never
 * reaches the shared stack (no consumer group joined, no row written), with passwords of our own.
 */
function localEnv(): Record<string, string> {
  return {
    KAFKA_BROKERS: '127.0.0.1:9',
    DATABASE_URL: 'postgres://agent_ledger_owner:fresh-password-0f9e8d@127.0.0.1:9/agent_ledger',
    TENANT_DATABASE_URL: 'postgres://agent_ledger_app:fresh-password-7c6b5a@127.0.0.1:9/agent_ledger',
    REDIS_URL: 'redis://127.0.0.1:9',
    LOG_LEVEL: 'info',
  };
}
