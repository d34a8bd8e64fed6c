import { randomUUID } from 'node:crypto';
import { ApiError } from '@agent-ledger/runtime';
import { decodeCursor, encodeCursor, listEventsSchema } from './query-filters';

const tenant = randomUUID();
const refusal = (f: () => unknown) => {
  try {
    f();
    return undefined;
  } catch (err) {
    return err as ApiError;
  }
};

describe('query filters', () => {
  it('should give back the position of a cursor it encoded when the same tenant reads the same list', () => {
    const id = randomUUID();
    expect(decodeCursor('events', tenant, encodeCursor('events', tenant, ['2026-03-01T00:00:00.000Z', id]))).toEqual(['2026-03-01T00:00:00.000Z', id]);
    expect(decodeCursor('actions', tenant, encodeCursor('actions', tenant, ['42']))).toEqual(['42']);
  });

  it('should refuse with invalid_cursor a cursor of another tenant or another list', () => {
    expect(refusal(() => decodeCursor('actions', tenant, encodeCursor('actions', randomUUID(), ['1'])))).toMatchObject({ status: 400, code: 'invalid_cursor', field: 'cursor' });
    expect(refusal(() => decodeCursor('escalations', tenant, encodeCursor('events', tenant, ['2026-03-01T00:00:00.000Z', randomUUID()])))).toMatchObject({ code: 'invalid_cursor' });
  });

  it('should refuse with invalid_cursor a forged position with the right fingerprint when it could not reach the database', () => {
    const forged: [Parameters<typeof encodeCursor>[0], (string | number)[]][] = [
      ['actions', ['99999999999999999999']],
      ['actions', ['9223372036854775808']],
      ['actions', ['-1']],
      ['actions', [1.5]],
      ['events', ['2024-02-30T00:00:00Z', randomUUID()]],
      ['events', ['Tue', randomUUID()]],
      ['events', ['2024-01-01T00:00:00Z', '-'.repeat(36)]],
      ['events', ['2024-01-01T00:00:00Z']],
      ['escalations', ['0000-01-01T00:00:00Z', randomUUID()]],
    ];
    for (const [kind, position] of forged) expect(refusal(() => decodeCursor(kind, tenant, encodeCursor(kind, tenant, position)))).toMatchObject({ code: 'invalid_cursor' });
    expect(refusal(() => decodeCursor('events', tenant, 'bm90IGpzb24'))).toMatchObject({ code: 'invalid_cursor' });
  });

  it('should refuse a window whose from is not before its to, and impossible dates', () => {
    expect(listEventsSchema.safeParse({ from: '2024-02-02', to: '2024-02-01' }).success).toBe(false);
    expect(listEventsSchema.safeParse({ from: '2024-02-30' }).success).toBe(false);
    expect(listEventsSchema.safeParse({ from: '2024-02-01', to: '2024-02-02' }).success).toBe(true);
  });
});
