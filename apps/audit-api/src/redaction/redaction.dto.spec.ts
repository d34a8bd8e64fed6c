import { ApiError, parseInput } from '@agent-ledger/runtime';
import { putRedactionSchema } from './redaction.dto';

const problems = (body: unknown) => {
  try {
    parseInput(putRedactionSchema, body);
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, fields: (err.errors ?? []).map((e) => e.field) };
    throw err;
  }
  return { status: 200, fields: [] as string[] };
};

describe('putRedactionSchema', () => {
  it('should accept a partial change with safe patterns when every field is valid', () => {
    expect(parseInput(putRedactionSchema, { valuePatterns: ['EMP-[0-9]{6}'], freeTextPii: 'encrypt', phoneRegion: null })).toEqual({ valuePatterns: ['EMP-[0-9]{6}'], freeTextPii: 'encrypt', phoneRegion: null });
  });

  it('should name the offending pattern by pointer when a value pattern needs backtracking or matches the empty string', () => {
    expect(problems({ valuePatterns: ['ok-[0-9]+', '(x)\\1', '(?=a)b', 'z*'] })).toEqual({ status: 400, fields: ['/valuePatterns/1', '/valuePatterns/2', '/valuePatterns/3'] });
  });

  it('should refuse too many patterns, duplicates, bad key patterns, an unknown mode, a bad region and unknown fields', () => {
    expect(problems({ valuePatterns: Array.from({ length: 21 }, (_, i) => `p${i}`) }).fields).toEqual(['/valuePatterns']);
    expect(problems({ keyPatterns: ['iban', 'iban'] }).fields).toEqual(['/keyPatterns/1']);
    expect(problems({ keyPatterns: ['a*'] }).fields).toEqual(['/keyPatterns/0']);
    expect(problems({ freeTextPii: 'hash' }).fields).toEqual(['/freeTextPii']);
    expect(problems({ phoneRegion: 'ZZ' }).fields).toEqual(['/phoneRegion']);
    expect(problems({ mode: 'redact' }).fields).toEqual(['/mode', '(body)']);
    expect(problems({}).status).toBe(400);
  });
});
