import { resolvedWindow } from './performance.command';
import { statsQuery } from './stats.command';

describe('resolvedWindow', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');

  it('should end now and span 24 h when no window is given', () => {
    expect(resolvedWindow({}, now)).toEqual({ from: '2026-03-09T12:00:00.000Z', to: '2026-03-10T12:00:00.000Z' });
  });

  it('should span the named window before --to when both are given', () => {
    expect(resolvedWindow({ window: '7d', to: '2026-03-08T00:00:00.000Z' }, now)).toEqual({ from: '2026-03-01T00:00:00.000Z', to: '2026-03-08T00:00:00.000Z' });
  });

  it('should keep --from as given when it is set', () => {
    expect(resolvedWindow({ from: '2026-03-10T11:00:00.000Z' }, now)).toEqual({ from: '2026-03-10T11:00:00.000Z', to: '2026-03-10T12:00:00.000Z' });
  });
});

describe('statsQuery', () => {
  it('should send window as the API names it when it is given', () => {
    expect(statsQuery({ window: '30d' })).toEqual({ window: '30d' });
  });

  it('should refuse --from after --to before asking the API', () => {
    expect(() => statsQuery({ from: '2026-03-10T00:00:00Z', to: '2026-03-01T00:00:00Z' })).toThrow(/must be before/);
  });
});
