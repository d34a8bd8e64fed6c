import { ApiError } from '@agent-ledger/runtime';
import { decodeLetterCursor, encodeLetterCursor, listDeadLettersSchema, replaySchema } from './dead-letters.dto';

const TENANT = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const OTHER = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

describe('dead letter cursors', () => {
  it('should give back the position when the same reader pages on', () => {
    expect(decodeLetterCursor(TENANT, encodeLetterCursor(TENANT, '42'))).toBe('42');
  });

  it.each([
    ['another tenant', encodeLetterCursor(OTHER, '42')],
    ['the operator', encodeLetterCursor('operator', '42')],
    ['a forged position', Buffer.from(JSON.stringify({ k: 'dead-letters', p: '1 OR 1=1' })).toString('base64url')],
    ['garbage', '%%%'],
  ])('should refuse with 400 on field cursor when the cursor is from %s', (_what, cursor) => {
    expect(() => decodeLetterCursor(TENANT, cursor)).toThrow(expect.objectContaining({ status: 400, field: 'cursor' }) as ApiError);
  });
});

describe('dead letter inputs', () => {
  it('should read the filters when they are valid', () => {
    expect(listDeadLettersSchema.parse({ replayed: 'false', reasonCode: 'unknown_tenant', from: '2026-03-01' })).toMatchObject({ replayed: false, reasonCode: 'unknown_tenant', from: new Date('2026-03-01T00:00:00Z'), limit: 100 });
  });

  it.each([{}, { ids: [] }, { ids: ['0'] }, { ids: ['12a'] }, { all: false }, { ids: ['1'], all: true }, { ids: Array.from({ length: 501 }, (_, i) => String(i + 1)) }, { ids: ['1'], extra: 1 }])(
    'should refuse the replay body %j',
    (body) => {
      expect(replaySchema.safeParse(body).success).toBe(false);
    },
  );

  it('should accept ids or all', () => {
    expect(replaySchema.parse({ ids: ['1', '99'] })).toEqual({ ids: ['1', '99'] });
    expect(replaySchema.parse({ all: true })).toEqual({ all: true });
  });
});
