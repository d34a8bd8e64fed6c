import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { REDIS, ReadinessService } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import type { Redis } from 'ioredis';
import type { NotifierConfig } from '../config/notifier.config';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';
import { judgeEvictionPolicy } from './redis-policy';

/**
 * Reads Redis's maxmemory-policy once Redis answers (boot does not wait for Redis) and decides
 * whether the queues may run. Workers and the consumer start only after {@link passed} resolves.
 * A refused policy stops the process with exit code 1.
 */
@Injectable()
export class RedisPolicyCheck implements OnApplicationBootstrap {
  private readonly log = createLogger(RedisPolicyCheck.name);
  private verdict?: { ok: boolean; message: string };
  private resolvePassed!: () => void;
  /** Resolves once the policy was found acceptable. */
  readonly passed = new Promise<void>((resolve) => (this.resolvePassed = resolve));

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(NOTIFIER_CONFIG) private readonly config: NotifierConfig,
    private readonly readiness: ReadinessService,
  ) {}

  onApplicationBootstrap(): void {
    this.readiness.register({
      name: 'redis-policy',
      check: async () => {
        if (!this.verdict) throw new Error('Redis maxmemory-policy not checked yet');
        if (!this.verdict.ok) throw new Error(this.verdict.message);
      },
    });
    void this.run();
  }

  private async run(): Promise<void> {
    let policy: string | undefined;
    try {
      // Queued until Redis is reachable (the shared connection keeps an offline queue).
      const answer = (await this.redis.config('GET', 'maxmemory-policy')) as unknown as string[];
      policy = answer?.[1];
    } catch (err) {
      this.log.warn({ err }, 'CONFIG GET maxmemory-policy failed');
    }
    const verdict = judgeEvictionPolicy(policy, this.config.NOTIFIER_REDIS_ALLOW_EVICTION);
    this.verdict = verdict;
    this.log[verdict.level]({ policy }, verdict.message);
    if (!verdict.ok) {
      process.exitCode = 1;
      setTimeout(() => process.exit(1), 100).unref();
      return;
    }
    this.resolvePassed();
  }
}
