import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

/** The bin npm links into node_modules/.bin for the workspace package apps/cli. */
export const LINKED_BIN = path.join(WORKSPACE_ROOT, 'node_modules', '.bin', 'agent-ledger');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell without any LEDGER_* setting of the test runner. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('LEDGER_')) env[k] = v;
  return { ...env, NO_COLOR: '1', ...extra };
}

/** A running `agent-ledger` process (for tail). */
export function startCli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; done: Promise<CliRun>; stdout: () => string } {
  const child = spawn(process.execPath, [LINKED_BIN, ...args], { cwd: WORKSPACE_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const done = new Promise<CliRun>((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done, stdout: () => stdout };
}

/** Runs `agent-ledger …` as a user would (node on the linked bin) and waits for it to exit. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<CliRun> {
  const { child, done } = startCli(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}
