import { pathOfHashRoute, upgradeHashRoute } from './hash-route';

describe('pathOfHashRoute', () => {
  it('should give the path and query named after # when the hash is an old client route', () => {
    expect(pathOfHashRoute('#/escalations/5f0c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d')).toBe('/escalations/5f0c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d');
    expect(pathOfHashRoute('#/actions?status=failed')).toBe('/actions?status=failed');
    expect(pathOfHashRoute('#/')).toBe('/');
  });

  it('should leave other hashes alone, and never name another origin, when the hash is not a route', () => {
    for (const hash of ['', '#', '#main', '#escalations', '#//evil.example/x', '#/\\evil.example']) expect(pathOfHashRoute(hash)).toBeUndefined();
  });
});

describe('upgradeHashRoute', () => {
  it('should replace the history entry with the path when the address holds an old link, and do nothing otherwise', () => {
    const calls: unknown[][] = [];
    const history = { replaceState: (...args: unknown[]) => void calls.push(args) };
    expect(upgradeHashRoute({ hash: '#/escalations/abc' }, history)).toBe(true);
    expect(upgradeHashRoute({ hash: '#content' }, history)).toBe(false);
    expect(calls).toEqual([[null, '', '/escalations/abc']]);
  });
});
