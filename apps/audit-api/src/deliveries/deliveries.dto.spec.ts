import { parseInput } from '@agent-ledger/runtime';
import { decodeCursor, encodeCursor, listDeliveriesSchema } from './deliveries.dto';

describe('deliveries DTOs', () => {
  const tenant = '6f1c1b8e-5d7a-4c1e-9f3a-2b6d8e9a0c11';
  const id = '0b5e2c7a-1d3f-4e8b-9a6c-5d4e3f2a1b0c';

  it('should round-trip a cursor for its tenant and refuse it for another or when forged', () => {
    const cursor = encodeCursor(tenant, '2026-01-01T00:00:00.123456Z', id);
    expect(decodeCursor(tenant, cursor)).toEqual({ createdAt: '2026-01-01T00:00:00.123456Z', id });
    expect(() => decodeCursor('00000000-0000-4000-8000-000000000000', cursor)).toThrow(/another tenant/);
    expect(() => decodeCursor(tenant, 'garbage')).toThrow(/not a cursor/);
  });

  it('should name each invalid query parameter when filters are wrong', () => {
    let fields: string[] = [];
    try {
      parseInput(listDeliveriesSchema, { channel: 'sms', status: 'lost', from: 'yesterday', limit: '500', escalationId: 'x' }, 'query');
    } catch (err) {
      fields = ((err as { errors: { field: string }[] }).errors ?? []).map((e) => e.field).sort();
    }
    expect(fields).toEqual(['channel', 'escalationId', 'from', 'limit', 'status']);
    expect(parseInput(listDeliveriesSchema, { channel: 'email' }, 'query')).toEqual({ channel: 'email', limit: 50 });
  });
});
