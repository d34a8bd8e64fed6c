import { ApiError, parseInput } from '@agent-ledger/runtime';
import { putRetentionSchema, runIdParam, startRunSchema } from './retention.dto';

const problems = (body: unknown): { field: string; message: string }[] => {
  try {
    parseInput(putRetentionSchema, body);
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    return ((err as ApiError).errors ?? []).map((e) => ({ field: e.field, message: e.message }));
  }
};

describe('retention DTOs', () => {
  it('should keep only the fields given when the body changes some of them', () => {
    expect(parseInput(putRetentionSchema, { retainFor: 'PT5S' })).toEqual({ retainFor: 'PT5S' });
    expect(parseInput(putRetentionSchema, { legalHold: true })).toEqual({ legalHold: true });
    expect(parseInput(putRetentionSchema, { retainFor: 'P1Y', archive: false, legalHold: false })).toEqual({ retainFor: 'P1Y', archive: false, legalHold: false });
  });

  it('should keep retainFor as written when it is valid', () => {
    expect(parseInput(putRetentionSchema, { retainFor: 'P1Y2M3W4DT5H6M7S' }).retainFor).toBe('P1Y2M3W4DT5H6M7S');
  });

  it('should refuse the body as a whole when it names no field', () => {
    expect(problems({})).toEqual([{ field: '(body)', message: 'give at least one of retainFor, archive, legalHold' }]);
    expect(problems(undefined).map((p) => p.field)).toEqual(['(body)']);
    expect(problems([]).map((p) => p.field)).toEqual(['(body)']);
  });

  it('should name an unknown field when the body has one', () => {
    expect(problems({ retainFor: 'P1D', retentionDays: 30 })).toEqual([{ field: '/retentionDays', message: 'unexpected field "retentionDays"' }]);
  });

  it('should name each field of the wrong type', () => {
    expect(problems({ retainFor: 90, archive: 'yes', legalHold: null }).map((p) => p.field).sort()).toEqual(['/archive', '/legalHold', '/retainFor']);
    expect(problems({ archive: 'true' })).toEqual([{ field: '/archive', message: 'archive must be true or false' }]);
  });

  it('should name retainFor with the reason when the duration is invalid', () => {
    expect(problems({ retainFor: 'P' })).toEqual([{ field: '/retainFor', message: expect.stringMatching(/at least one amount/) }]);
    expect(problems({ retainFor: 'PT' })).toEqual([{ field: '/retainFor', message: expect.stringMatching(/at least one amount/) }]);
    expect(problems({ retainFor: '-P1D' })).toEqual([{ field: '/retainFor', message: expect.stringMatching(/ISO 8601 duration/) }]);
    expect(problems({ retainFor: 'P1.5D' })).toEqual([{ field: '/retainFor', message: expect.stringMatching(/whole numbers/) }]);
    expect(problems({ retainFor: 'PT0S' })).toEqual([{ field: '/retainFor', message: 'retainFor must be at least PT1S' }]);
    expect(problems({ retainFor: 'P101Y' })).toEqual([{ field: '/retainFor', message: 'retainFor must be at most P100Y' }]);
    expect(problems({ retainFor: 'forever' })).toEqual([{ field: '/retainFor', message: expect.stringMatching(/ISO 8601 duration/) }]);
  });

  it('should accept a run id when it is a UUID and name runId otherwise', () => {
    const runId = '6f1c1b8e-5d7a-4c1e-9f3a-2b6d8e9a0c11';
    expect(parseInput(runIdParam, { runId }, 'params')).toEqual({ runId });
    expect(() => parseInput(runIdParam, { runId: 'not-a-uuid' }, 'params')).toThrow(expect.objectContaining({ status: 400, field: 'runId' }));
  });

  it('should accept an empty run request and name a field it does not know', () => {
    expect(parseInput(startRunSchema, {})).toEqual({});
    expect(() => parseInput(startRunSchema, { tenantId: 'x' })).toThrow(expect.objectContaining({ status: 400, field: '/tenantId' }));
  });
});
