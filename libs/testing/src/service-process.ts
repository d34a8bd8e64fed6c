import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { httpStatus, waitFor } from './wait';

export const WORKSPACE_ROOT = path.resolve(__dirname, '..', '..', '..');

export const SERVICES = {
  'ingest-api': { portVar: 'INGEST_API_PORT', port: 3100 },
  'audit-api': { portVar: 'AUDIT_API_PORT', port: 3200 },
  'audit-projector': { portVar: 'AUDIT_PROJECTOR_PORT', port: 3301 },
  'escalation-worker': { portVar: 'ESCALATION_WORKER_PORT', port: 3302 },
  notifier: { portVar: 'NOTIFIER_PORT', port: 3303 },
  'checkpoint-witness': { portVar: 'CHECKPOINT_WITNESS_PORT', port: 3304 },
  'retention-worker': { portVar: 'RETENTION_WORKER_PORT', port: 3305 },
} as const;
export type ServiceName = keyof typeof SERVICES;

/**
 * How a built service is started: through scripts/run-service.sh, as npm start and the container image
 * do (the same Node.js flags, e.g. the heap limit). The script execs node, so the child's PID is the
 * service's and signals reach it.
 */
function launch(name: ServiceName): [string, string[]] {
  return ['sh', [path.join(WORKSPACE_ROOT, 'scripts', 'run-service.sh'), name]];
}

/** A built service (dist/) running as a child process, as `npm start` runs it. */
export class ServiceProcess {
  private child?: ChildProcess;
  readonly output: string[] = [];
  exitCode: number | null = null;
  signal: NodeJS.Signals | null = null;
  private exited?: Promise<void>;

  constructor(readonly name: ServiceName, readonly port: number, readonly env: NodeJS.ProcessEnv) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): this {
    this.exitCode = null;
    this.signal = null;
    const child = spawn(...launch(this.name), {
      cwd: WORKSPACE_ROOT,
      env: { ...this.env, NODE: process.execPath, [SERVICES[this.name].portVar]: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const collect = (chunk: Buffer) => {
      this.output.push(chunk.toString());
      if (this.output.length > 2_000) this.output.splice(0, 1_000);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exitCode = code;
        this.signal = signal;
        resolve();
      }),
    );
    return this;
  }

  async waitReady(timeoutMs = 60_000): Promise<void> {
    await waitFor(
      async () => {
        if (this.exitCode !== null || this.signal) throw new Error(`${this.name} exited (${this.exitCode ?? this.signal}):\n${this.logs().slice(-3_000)}`);
        return (await httpStatus(`${this.url}/health/ready`)) === 200;
      },
      { timeoutMs, what: `${this.name} ready`, intervalMs: 300 },
    ).catch((err) => {
      throw new Error(`${(err as Error).message}\n--- ${this.name} output ---\n${this.logs().slice(-3_000)}`);
    });
  }

  /** Resolves when the process has exited. */
  async waitExit(timeoutMs = 30_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    await Promise.race([this.exited, new Promise((_, rej) => setTimeout(() => rej(new Error(`${this.name} did not exit within ${timeoutMs} ms`)), timeoutMs))]);
    return { code: this.exitCode, signal: this.signal };
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.child && this.exitCode === null && !this.signal) this.child.kill(signal);
  }

  async stop(): Promise<void> {
    if (!this.child || this.exitCode !== null || this.signal) return;
    this.kill('SIGTERM');
    await this.waitExit(20_000).catch(() => this.kill('SIGKILL'));
  }

  logs(): string {
    return this.output.join('');
  }
}

/** Runs a service entry point to completion (for boot failures) and returns its exit code and output. */
export function runToExit(name: ServiceName, env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(...launch(name), { cwd: WORKSPACE_ROOT, env: { ...env, NODE: process.execPath }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c) => (output += c));
    child.stderr.on('data', (c) => (output += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} still running after ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
