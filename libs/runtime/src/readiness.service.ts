import { Injectable } from '@nestjs/common';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
  /** Reported but not deciding readiness (default true: a failure makes the service not ready). */
  required?: boolean;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string; ms: number; required?: false }>;
}

/** A long-running worker (e.g. a Kafka consumer host) that reports both readiness and liveness. */
export interface WorkerHealth {
  checkReady(): Promise<void>;
  checkLive(): Promise<void>;
}

/**
 * Collects the checks that decide /health/ready (each connection and worker registers one) and
 * /health/live (only what a restart can cure: a worker that is down and could not come back).
 */
@Injectable()
export class ReadinessService {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly liveness = new Map<string, ReadinessCheck>();
  private shuttingDown = false;

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  registerLiveness(check: ReadinessCheck): void {
    this.liveness.set(check.name, check);
  }

  /** Registers a worker's readiness and liveness under one name. */
  registerWorker(name: string, worker: WorkerHealth): void {
    this.register({ name, check: () => worker.checkReady() });
    this.registerLiveness({ name, check: () => worker.checkLive() });
  }

  /** Whether the process should be left running: every liveness check passes. */
  async live(timeoutMs = 2_500): Promise<ReadinessReport> {
    const checks = await run([...this.liveness.values()], timeoutMs);
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  }

  markShuttingDown(): void {
    this.shuttingDown = true;
  }

  async report(timeoutMs = 2_500): Promise<ReadinessReport> {
    const checks = await run([...this.checks.values()], timeoutMs);
    if (this.shuttingDown) checks['shutdown'] = { ok: false, error: 'shutting down', ms: 0 };
    return { ready: Object.values(checks).every((c) => c.ok || c.required === false), checks };
  }
}

async function run(list: ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport['checks']> {
  const entries = await Promise.all(
    list.map(async (c) => {
      const started = Date.now();
      try {
        await withTimeout(c.check(), timeoutMs, `${c.name} did not answer within ${timeoutMs} ms`);
        return [c.name, { ok: true, ms: Date.now() - started, ...optional(c) }] as const;
      } catch (err) {
        return [c.name, { ok: false, error: (err as Error).message, ms: Date.now() - started, ...optional(c) }] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

const optional = (c: ReadinessCheck): { required?: false } => (c.required === false ? { required: false } : {});

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(message)), ms);
    }),
  ]);
}
