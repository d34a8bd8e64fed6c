import { randomBytes, randomUUID } from 'node:crypto';
import { PiiCipher } from '@agent-ledger/integrity';
import { announceErasure, evictOnErasure, SUBJECT_ERASED_CHANNEL } from './erasure-announcements';
import { SubjectKeyStore } from './subject-key.store';

describe('erasure announcements', () => {
  it("should evict an erased subject's cached key in every process that listens", async () => {
    const tenantId = randomUUID();
    const store = new SubjectKeyStore(new PiiCipher(randomBytes(32)));
    store.remember(new Map([[SubjectKeyStore.keyOf(tenantId, 'cust-1'), { keyId: randomUUID(), key: randomBytes(32) }]]));
    store.remember(new Map([[SubjectKeyStore.keyOf(tenantId, 'cust-2'), { keyId: randomUUID(), key: randomBytes(32) }]]));

    // One in-memory "Redis" channel: publish delivers to the subscriber's listener.
    let listener: ((channel: string, message: string) => void) | undefined;
    const subscriber = { on: (_e: 'message', l: (channel: string, message: string) => void) => (listener = l), subscribe: jest.fn(async () => 1) };
    await evictOnErasure(subscriber, store);
    expect(subscriber.subscribe).toHaveBeenCalledWith(SUBJECT_ERASED_CHANNEL);
    await announceErasure({ publish: async (channel, message) => listener!(channel, message) }, { tenantId, subjectIds: ['cust-1', 'actor:cust-1'] });

    expect(store.cachedKeys).toBe(1);
    listener!(SUBJECT_ERASED_CHANNEL, 'not json');
    listener!('another-channel', JSON.stringify({ tenantId, subjectIds: ['cust-2'] }));
    expect(store.cachedKeys).toBe(1);
  });
});
