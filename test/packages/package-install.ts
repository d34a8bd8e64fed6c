import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A user's shell environment: none of the test runner's npm_* or LEDGER_* variables. */
export function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(npm_|LEDGER_)/i.test(k)) env[k] = v;
  return { ...env, NO_COLOR: '1', npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...extra };
}

/** Runs a command to its end (never blocking the event loop, so the services' output keeps draining). */
export function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv(), timeoutMs = 180_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs and throws with the output unless the command exits 0. */
export async function runOk(command: string, args: string[], cwd: string, env?: NodeJS.ProcessEnv): Promise<Run> {
  const r = await run(command, args, cwd, env);
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited ${r.code}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** `npm pack` of a package directory (its prepack builds it) into `destination`; the tarball's path. */
export async function pack(packageDir: string, destination: string): Promise<string> {
  await runOk('npm', ['pack', '--pack-destination', destination], packageDir);
  const tarballs = (await readdir(destination)).filter((f) => f.endsWith('.tgz'));
  const name = JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).name.replace(/^@/, '').replace('/', '-');
  const tarball = tarballs.find((f) => f.startsWith(`${name}-`));
  if (!tarball) throw new Error(`npm pack of ${packageDir} left no ${name}-*.tgz in ${destination}`);
  return path.join(destination, tarball);
}

/** A new, empty project directory with the tarball installed by `npm install <tgz>`. */
export async function installInEmptyProject(tarball: string, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
  await runOk('npm', ['install', '--no-audit', '--no-fund', tarball], dir);
  return dir;
}
