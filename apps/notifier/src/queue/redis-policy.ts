/** What the notifier does about Redis's `maxmemory-policy` (docs/notifications.md, "Redis"). */
export interface PolicyVerdict {
  /** false: refuse to run. */
  ok: boolean;
  level: 'info' | 'warn' | 'fatal';
  message: string;
}

/**
 * BullMQ keeps jobs as Redis keys: any policy but `noeviction` lets Redis delete queued jobs under
 * memory pressure, i.e. lose notifications silently. So the notifier refuses to run on such a Redis,
 * unless the operator opted in (NOTIFIER_REDIS_ALLOW_EVICTION), then it warns. A Redis that does not
 * let us read the setting (managed services rename CONFIG) gets a warning: it cannot be verified.
 */
export function judgeEvictionPolicy(policy: string | undefined, allowEviction: boolean): PolicyVerdict {
  if (policy === undefined) {
    return { ok: true, level: 'warn', message: 'could not read Redis maxmemory-policy (CONFIG GET refused); make sure it is noeviction, or queued notifications can be evicted' };
  }
  if (policy === 'noeviction') return { ok: true, level: 'info', message: 'Redis maxmemory-policy is noeviction' };
  const problem = `Redis maxmemory-policy is ${policy}, not noeviction: Redis may evict queued notification jobs under memory pressure`;
  return allowEviction
    ? { ok: true, level: 'warn', message: `${problem} (running anyway: NOTIFIER_REDIS_ALLOW_EVICTION=true)` }
    : { ok: false, level: 'fatal', message: `${problem}; set it to noeviction (or NOTIFIER_REDIS_ALLOW_EVICTION=true to run anyway)` };
}
