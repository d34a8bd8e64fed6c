import { randomUUID } from 'node:crypto';
import { actionEventKey } from '@agent-ledger/contracts';
import { tenantOfKey } from './ledger-events.consumer';

describe('tenantOfKey', () => {
  it('should read the tenant from the key every producer writes, without the value', () => {
    const tenantId = randomUUID();
    expect(tenantOfKey({ key: Buffer.from(actionEventKey(tenantId, 'act:with:colons')) })).toBe(tenantId);
    expect(tenantOfKey({ key: Buffer.from(actionEventKey(tenantId.toUpperCase(), 'x')) })).toBe(tenantId);
  });

  it('should name no tenant when the key is missing or does not start with a tenant id', () => {
    for (const key of [null, Buffer.from(''), Buffer.from('not-a-uuid:act-1'), Buffer.from(randomUUID())]) expect(tenantOfKey({ key })).toBeUndefined();
  });
});
