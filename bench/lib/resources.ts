import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat; NaN once it is gone. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at the closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** VmRSS and VmHWM (peak) of a process in MB, from /proc/<pid>/status. */
export function memoryMb(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: NaN, peak: NaN };
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat. */
function machineTicks(): { busy: number; total: number } {
  const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = cpu[3] + (cpu[4] ?? 0);
  const total = cpu.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

/** Share of the machine's CPU time that was busy between two calls (0..1). */
export function machineBusy(): () => number {
  const start = machineTicks();
  return () => {
    const end = machineTicks();
    return (end.busy - start.busy) / Math.max(1, end.total - start.total);
  };
}

export interface ProcessRef {
  /** e.g. "ingest-api" or "audit-projector (projection run)". */
  name: string;
  pid: number;
}

/**
 * Samples the resident memory of the service processes every 250 ms (and their kernel-kept peak) so
 * the highest RSS of each service over the whole run is known, also for processes stopped before the end.
 */
export class ResourceMonitor {
  private readonly peaks = new Map<string, { peakRssMb: number; samples: number }>();
  private readonly tracked = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  track(ref: ProcessRef): void {
    this.tracked.set(ref.name, ref.pid);
    this.sample();
  }

  /** Takes a last sample of a process about to stop. */
  untrack(name: string): void {
    this.sample();
    this.tracked.delete(name);
  }

  start(): void {
    this.timer = setInterval(() => this.sample(), 250);
    this.timer.unref();
  }

  stop(): void {
    this.sample();
    clearInterval(this.timer);
  }

  private sample(): void {
    for (const [name, pid] of this.tracked) {
      const m = memoryMb(pid);
      const top = Math.max(Number.isNaN(m.rss) ? 0 : m.rss, Number.isNaN(m.peak) ? 0 : m.peak);
      if (!top) continue;
      const p = this.peaks.get(name) ?? { peakRssMb: 0, samples: 0 };
      p.peakRssMb = Math.max(p.peakRssMb, Math.round(top * 10) / 10);
      p.samples++;
      this.peaks.set(name, p);
    }
  }

  peakRss(): Record<string, { peakRssMb: number; samples: number }> {
    return Object.fromEntries(this.peaks);
  }
}

/** CPU seconds used by a set of processes between start() and the returned function's call. */
export function cpuMeter(refs: ProcessRef[]): () => Record<string, number> {
  const start = new Map(refs.map((r) => [r.name, cpuSeconds(r.pid)]));
  return () => Object.fromEntries(refs.map((r) => [r.name, Math.round((cpuSeconds(r.pid) - (start.get(r.name) ?? NaN)) * 100) / 100]));
}

/** Processes of the stack, found by their command: every PostgreSQL process, the Kafka broker, Redis. */
function stackPids(): Record<'postgres' | 'kafka' | 'redis', number[]> {
  const out: Record<'postgres' | 'kafka' | 'redis', number[]> = { postgres: [], kafka: [], redis: [] };
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return out;
  }
  for (const pid of pids) {
    try {
      const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
      if (comm === 'postgres') out.postgres.push(Number(pid));
      else if (comm.startsWith('redis-server')) out.redis.push(Number(pid));
      else if (comm === 'java' && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('kafka.Kafka')) out.kafka.push(Number(pid));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * CPU seconds used by PostgreSQL (all its processes), the Kafka broker and Redis over a window. A
 * process started inside the window counts in full; one that ended inside it is missed (the services'
 * database connections are pooled and outlive the windows).
 */
export function stackCpuMeter(): () => Record<string, number> {
  const start = stackPids();
  const before = new Map(Object.values(start).flat().map((pid) => [pid, cpuSeconds(pid)]));
  return () => {
    const now = stackPids();
    return Object.fromEntries(
      Object.entries(now).map(([name, pids]) => [
        name,
        Math.round(pids.reduce((a, pid) => a + Math.max(0, (cpuSeconds(pid) || 0) - (before.get(pid) ?? 0)), 0) * 100) / 100,
      ]),
    );
  };
}
