import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import type { DashboardAsset, DashboardAssets } from './dashboard-assets';

export const DASHBOARD_ASSETS = Symbol('DASHBOARD_ASSETS');

interface RequestLike {
  method: string;
  originalUrl?: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

interface ResponseLike {
  statusCode: number;
  setHeader(name: string, value: string | number): void;
  end(body?: Buffer): void;
}

/**
 * The page may load only its own scripts and styles and talk only to this origin; it may not be
 * framed. The API key travels in a header the page sets, so nothing here needs cookies.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Serves the built dashboard for GET and HEAD: its files, and index.html for client routes
 * (`/actions/act-1`). API paths (`/v1/*`, `/health/*`, `/metrics`, `/docs*`) and missing files
 * (`/assets/gone.js`) pass through to the API, which answers them (404 in the usual error shape).
 */
@Injectable()
export class DashboardMiddleware implements NestMiddleware {
  constructor(@Inject(DASHBOARD_ASSETS) private readonly assets: DashboardAssets) {}

  use(req: RequestLike, res: ResponseLike, next: () => void): void {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = pathOf(req.originalUrl ?? req.url);
    const asset = path === undefined ? undefined : this.assets.resolve(path);
    if (!asset) return next();
    send(req, res, asset);
  }
}

/** The decoded path of a request URL, or undefined when it cannot be decoded. */
function pathOf(url: string): string | undefined {
  const raw = url.split('?', 1)[0].split('#', 1)[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

function send(req: RequestLike, res: ResponseLike, asset: DashboardAsset): void {
  res.setHeader('Content-Type', asset.contentType);
  res.setHeader('Cache-Control', asset.cacheControl);
  res.setHeader('ETag', asset.etag);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (asset.contentType.startsWith('text/html')) {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
  }
  if (asset.gzip) res.setHeader('Vary', 'Accept-Encoding');
  const inm = header(req, 'if-none-match');
  if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === asset.etag)) {
    res.statusCode = 304;
    res.end();
    return;
  }
  const gzip = asset.gzip && /\bgzip\b/.test(header(req, 'accept-encoding') ?? '') ? asset.gzip : undefined;
  if (gzip) res.setHeader('Content-Encoding', 'gzip');
  const body = gzip ?? asset.body;
  res.statusCode = 200;
  res.setHeader('Content-Length', body.length);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function header(req: RequestLike, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}
