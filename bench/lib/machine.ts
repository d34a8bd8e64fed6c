import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import Redis from 'ioredis';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryMb: number;
  platform: string;
  kernel: string;
}

export interface Versions {
  node: string;
  kafka: string;
  postgres: string;
  redis: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    memoryMb: Math.round(os.totalmem() / 1_048_576),
    platform: `${os.platform()} ${os.arch()}`,
    kernel: os.release(),
  };
}

/** Versions of the runtime and of the stack's servers, asked from the servers where they say it. */
export async function versions(databaseUrl: string, redisUrl: string): Promise<Versions> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const postgres = (await db.query(`SHOW server_version`)).rows[0].server_version as string;
  await db.end();
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const info = await redis.info('server');
  redis.disconnect();
  return { node: process.version, kafka: kafkaVersion(), postgres, redis: /redis_version:([^\r\n]+)/.exec(info)?.[1] ?? 'unknown' };
}

/** The broker's version: from the jars scripts/stack.sh runs it with, else from a `kafka-*` jar on the broker's command line. */
function kafkaVersion(): string {
  const jarVersion = (names: string[]) => names.map((n) => /^kafka-server-([0-9][^/]*?)\.jar$/.exec(path.basename(n))?.[1] ?? /^kafka_[0-9.]+-([0-9][^/]*?)\.jar$/.exec(path.basename(n))?.[1]).find(Boolean);
  try {
    const v = jarVersion(readdirSync(path.join(WORKSPACE_ROOT, '.stack', 'kafka', 'jars')));
    if (v) return v;
  } catch {
    // not started by scripts/stack.sh
  }
  try {
    const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
    const v = jarVersion(ps.split(/[\s:]+/).filter((w) => w.endsWith('.jar')));
    if (v) return v;
  } catch {
    // no ps
  }
  return 'unknown';
}
