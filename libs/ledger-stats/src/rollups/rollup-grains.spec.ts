import { bucketStart, planWindow } from './rollup-grains';

const at = (iso: string) => Date.parse(iso);
const show = (plan: ReturnType<typeof planWindow>) => ({
  rollups: plan.rollups.map((r) => `${r.grain} ${new Date(r.range.from).toISOString()} ${new Date(r.range.to).toISOString()}`),
  exact: plan.exact.map((r) => `${new Date(r.from).toISOString()} ${new Date(r.to).toISOString()}`),
});

describe('planWindow', () => {
  it('should take whole days, then whole hours at the edges, and read the rest exactly', () => {
    expect(show(planWindow({ from: at('2026-03-01T09:41:17.123Z'), to: at('2026-03-04T02:15:00.000Z') }, ['day', 'hour']))).toEqual({
      rollups: [
        'hour 2026-03-01T10:00:00.000Z 2026-03-02T00:00:00.000Z',
        'day 2026-03-02T00:00:00.000Z 2026-03-04T00:00:00.000Z',
        'hour 2026-03-04T00:00:00.000Z 2026-03-04T02:00:00.000Z',
      ],
      exact: ['2026-03-01T09:41:17.123Z 2026-03-01T10:00:00.000Z', '2026-03-04T02:00:00.000Z 2026-03-04T02:15:00.000Z'],
    });
  });

  it('should read a window inside one bucket of the finest grain exactly, and an aligned one only from rollups', () => {
    expect(show(planWindow({ from: at('2026-03-01T09:41:00Z'), to: at('2026-03-01T09:59:00Z') }, ['day', 'hour']))).toEqual({
      rollups: [],
      exact: ['2026-03-01T09:41:00.000Z 2026-03-01T09:59:00.000Z'],
    });
    expect(show(planWindow({ from: at('2026-03-01T00:00:00Z'), to: at('2026-03-02T05:00:00Z') }, ['day', 'hour']))).toEqual({
      rollups: ['day 2026-03-01T00:00:00.000Z 2026-03-02T00:00:00.000Z', 'hour 2026-03-02T00:00:00.000Z 2026-03-02T05:00:00.000Z'],
      exact: [],
    });
  });

  it('should go down to minutes for a series', () => {
    expect(show(planWindow({ from: at('2026-03-01T09:41:30Z'), to: at('2026-03-01T11:02:10Z') }, ['hour', 'minute']))).toEqual({
      rollups: [
        'minute 2026-03-01T09:42:00.000Z 2026-03-01T10:00:00.000Z',
        'hour 2026-03-01T10:00:00.000Z 2026-03-01T11:00:00.000Z',
        'minute 2026-03-01T11:00:00.000Z 2026-03-01T11:02:00.000Z',
      ],
      exact: ['2026-03-01T09:41:30.000Z 2026-03-01T09:42:00.000Z', '2026-03-01T11:02:00.000Z 2026-03-01T11:02:10.000Z'],
    });
  });

  it('should start buckets on UTC boundaries', () => {
    expect(new Date(bucketStart(at('2026-03-01T23:59:59.999Z'), 'day')).toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(new Date(bucketStart(at('2026-03-01T23:59:59.999Z'), 'hour')).toISOString()).toBe('2026-03-01T23:00:00.000Z');
    expect(new Date(bucketStart(at('1969-12-31T23:59:30Z'), 'minute')).toISOString()).toBe('1969-12-31T23:59:00.000Z');
  });
});
