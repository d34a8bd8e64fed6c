import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DashboardAssets } from './dashboard-assets';
import { DashboardMiddleware } from './dashboard.middleware';

interface Answer {
  statusCode: number;
  headers: Record<string, string | number>;
  body?: Buffer;
  passed: boolean;
}

describe(DashboardMiddleware.name, () => {
  let dir: string;
  let middleware: DashboardMiddleware;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'dashboard-mw-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), `<!doctype html>${'<p>x</p>'.repeat(300)}`);
    writeFileSync(join(dir, 'assets', 'app-1.css'), 'body{}');
    middleware = new DashboardMiddleware(DashboardAssets.load(dir));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const request = (method: string, url: string, headers: Record<string, string> = {}): Answer => {
    const answer: Answer = { statusCode: 0, headers: {}, passed: false };
    middleware.use(
      { method, url, originalUrl: url, headers },
      {
        set statusCode(v: number) {
          answer.statusCode = v;
        },
        get statusCode() {
          return answer.statusCode;
        },
        setHeader: (name, value) => void (answer.headers[name.toLowerCase()] = value),
        end: (body) => void (answer.body = body),
      },
      () => void (answer.passed = true),
    );
    return answer;
  };

  it('should serve the page with a content security policy and gzip when the browser accepts it', () => {
    const a = request('GET', '/actions/act-1?status=failed', { 'accept-encoding': 'gzip, br' });
    expect(a.passed).toBe(false);
    expect(a.statusCode).toBe(200);
    expect(a.headers).toMatchObject({ 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache', 'content-encoding': 'gzip', vary: 'Accept-Encoding' });
    expect(String(a.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(a.body!.length).toBe(a.headers['content-length']);
  });

  it('should answer 304 without a body when the ETag still matches', () => {
    const etag = String(request('GET', '/').headers.etag);
    const a = request('GET', '/', { 'if-none-match': `W/${etag}` });
    expect(a.statusCode).toBe(304);
    expect(a.body).toBeUndefined();
  });

  it('should send headers only when the method is HEAD', () => {
    const a = request('HEAD', '/assets/app-1.css');
    expect(a).toMatchObject({ statusCode: 200, body: undefined });
    expect(a.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('should pass API paths, other methods and undecodable paths on to the API when they reach it', () => {
    for (const [method, url] of [
      ['GET', '/v1/actions?limit=1'],
      ['GET', '/health/ready'],
      ['GET', '/metrics'],
      ['GET', '/docs-json'],
      ['POST', '/actions'],
      ['GET', '/%E0%A4%A'],
      ['GET', '/assets/missing-2.js'],
    ]) {
      expect(request(method, url).passed).toBe(true);
    }
  });
});
