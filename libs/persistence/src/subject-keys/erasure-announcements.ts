import type { SubjectKeyStore } from './subject-key.store';

/** Redis channel on which audit-api announces an erasure to every process that caches subject keys. */
export const SUBJECT_ERASED_CHANNEL = 'agent-ledger:subject-erased';

/** An erasure announcement: the `subject_keys.subject_id`s whose keys were shredded. */
export interface SubjectErased {
  tenantId: string;
  subjectIds: string[];
}

/** The part of an ioredis client this needs (publish side). */
export interface ErasurePublisher {
  publish(channel: string, message: string): Promise<unknown>;
}

/** The part of an ioredis client this needs (subscribe side). */
export interface ErasureSubscriber {
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  subscribe(channel: string): Promise<unknown>;
}

export function announceErasure(redis: ErasurePublisher, erased: SubjectErased): Promise<unknown> {
  return redis.publish(SUBJECT_ERASED_CHANNEL, JSON.stringify(erased));
}

/**
 * Evicts announced erasures from the store's cache. Subscribes in the background and returns the
 * subscription's promise: a Redis outage must not stop the service (the cache TTL still applies).
 */
export function evictOnErasure(subscriber: ErasureSubscriber, store: SubjectKeyStore): Promise<unknown> {
  subscriber.on('message', (channel, message) => {
    if (channel !== SUBJECT_ERASED_CHANNEL) return;
    try {
      const m = JSON.parse(message) as Partial<SubjectErased>;
      if (typeof m.tenantId === 'string' && Array.isArray(m.subjectIds)) store.forget(m.tenantId, m.subjectIds.filter((s): s is string => typeof s === 'string'));
    } catch {
      // Not an announcement of ours: nothing to evict.
    }
  });
  return subscriber.subscribe(SUBJECT_ERASED_CHANNEL);
}

/** A Redis client that can open its own subscriber connection (ioredis). */
export interface ErasureRedis {
  duplicate(options: { connectionName: string }): ErasureSubscriber & {
    on(event: 'error', listener: (err: Error) => void): unknown;
    quit(): Promise<unknown>;
    disconnect(): void;
  };
}

/**
 * Opens a dedicated subscriber connection that evicts announced erasures from `store`, and returns
 * how to close it. Failures are reported to `warn` and never stop the service: a cached key lives at
 * most its TTL.
 */
export function followErasures(redis: ErasureRedis, store: SubjectKeyStore, warn: (err: unknown, msg: string) => void): { close(): Promise<void> } {
  const sub = redis.duplicate({ connectionName: 'subject-erasures' });
  sub.on('error', (err) => warn(err, 'erasure subscriber'));
  evictOnErasure(sub, store).catch((err) => warn(err, 'could not subscribe to erasures; cached subject keys expire within their TTL'));
  return { close: () => sub.quit().then(() => undefined, () => sub.disconnect()) };
}
