import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DashboardAssets, IMMUTABLE, isApiPath, REVALIDATE } from './dashboard-assets';

describe(DashboardAssets.name, () => {
  let dir: string;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), script);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should serve hashed assets as immutable and index.html as revalidated when they are requested by path', () => {
    const assets = DashboardAssets.load(dir);
    const js = assets.resolve('/assets/index-AbC123.js')!;
    expect(js).toMatchObject({ contentType: 'text/javascript; charset=utf-8', cacheControl: IMMUTABLE });
    expect(gunzipSync(js.gzip!).toString()).toBe(script);
    expect(assets.resolve('/')).toMatchObject({ contentType: 'text/html; charset=utf-8', cacheControl: REVALIDATE });
    expect(assets.resolve('/favicon.svg')?.contentType).toBe('image/svg+xml');
  });

  it('should answer client routes with index.html but never API paths or missing files', () => {
    const assets = DashboardAssets.load(dir);
    const index = assets.resolve('/');
    for (const route of ['/actions', '/actions/act-1', '/escalations/5f0c', '/anything/else']) expect(assets.resolve(route)).toBe(index);
    for (const path of ['/v1/actions', '/v1', '/v2/x', '/health/ready', '/metrics', '/docs', '/docs-json', '/docs/swagger-ui.css', '/assets/gone.js', '/robots.txt']) {
      expect(assets.resolve(path)).toBeUndefined();
    }
  });

  it('should serve nothing when the dashboard was not built or is disabled', () => {
    const empty = DashboardAssets.load(join(dir, 'missing'));
    expect(empty.built).toBe(false);
    expect(empty.resolve('/')).toBeUndefined();
    expect(DashboardAssets.none().resolve('/actions')).toBeUndefined();
  });

  it('should give an ETag that changes with the content', () => {
    const before = DashboardAssets.load(dir).resolve('/')!.etag;
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root" data-v="2"></div>');
    expect(DashboardAssets.load(dir).resolve('/')!.etag).not.toBe(before);
  });
});

describe(isApiPath.name, () => {
  it('should recognise the API prefixes only as whole path segments', () => {
    expect(isApiPath('/v1/stream')).toBe(true);
    expect(isApiPath('/healthy')).toBe(false);
    expect(isApiPath('/metrics-dashboard')).toBe(false);
    expect(isApiPath('/version')).toBe(false);
  });
});
