import { BeforeRetentionHorizonException } from './retention-horizon.exception';

describe(BeforeRetentionHorizonException.name, () => {
  it('should answer 409 on from with the horizon and the archives next to the common error fields', () => {
    const horizon = new Date('2026-09-01T00:00:00Z');
    const archives = [{ object: 'a.jsonl.gz', manifest: 'a.manifest.json', location: 's3://bucket/prefix' }];
    const err = new BeforeRetentionHorizonException(horizon, archives);
    expect(err.status).toBe(409);
    expect(err.toBody()).toEqual({
      error: {
        status: 409,
        code: 'before_retention_horizon',
        message: expect.stringContaining('2026-09-01T00:00:00.000Z'),
        field: 'from',
        horizon: '2026-09-01T00:00:00.000Z',
        archives,
      },
    });
  });

  it('should name the window field when a named window set the start', () => {
    const err = new BeforeRetentionHorizonException(new Date('2026-09-01T00:00:00Z'), [], 'window');
    expect(err.toBody().error).toMatchObject({ field: 'window', message: expect.stringMatching(/^window reaches before the retention horizon 2026-09-01T00:00:00.000Z/) });
  });

  it('should say that no archive was written when the purged periods were not archived', () => {
    expect(new BeforeRetentionHorizonException(new Date(0), []).toBody().error).toMatchObject({ archives: [], message: expect.stringContaining('no archive was written') });
  });
});
