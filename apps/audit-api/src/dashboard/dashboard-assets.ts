import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';

/** One file of the built dashboard, held in memory with its headers' values. */
export interface DashboardAsset {
  body: Buffer;
  /** Gzipped body, for compressible types worth compressing. */
  gzip?: Buffer;
  contentType: string;
  etag: string;
  cacheControl: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.webmanifest', '.txt', '.map']);

/** Vite names the files under assets/ by their content hash: they never change under one name. */
export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** index.html names the current hashed files: revalidate it on every load (cheap with the ETag). */
export const REVALIDATE = 'no-cache';
const SHORT = 'public, max-age=3600';

/**
 * Paths that belong to the API and are never answered by the dashboard, not even by its
 * client-route fallback: the versioned API, health, metrics and the OpenAPI documents.
 */
export function isApiPath(path: string): boolean {
  return /^\/(v\d+|health|metrics)(\/|$)/.test(path) || path.startsWith('/docs');
}

/** The built dashboard, read once at boot (a few hundred kilobytes), served from memory. */
export class DashboardAssets {
  private constructor(
    readonly dir: string | undefined,
    private readonly files: Map<string, DashboardAsset>,
  ) {}

  /** No dashboard: nothing is served. */
  static none(): DashboardAssets {
    return new DashboardAssets(undefined, new Map());
  }

  /** Reads every file under `dir`; an absent or index-less folder gives an empty set. */
  static load(dir: string): DashboardAssets {
    const files = new Map<string, DashboardAsset>();
    if (!existsSync(join(dir, 'index.html'))) return new DashboardAssets(dir, files);
    const walk = (d: string) => {
      for (const name of readdirSync(d)) {
        const full = join(d, name);
        if (statSync(full).isDirectory()) {
          walk(full);
          continue;
        }
        const rel = `/${relative(dir, full).split(sep).join('/')}`;
        files.set(rel, toAsset(rel, readFileSync(full)));
      }
    };
    walk(dir);
    return new DashboardAssets(dir, files);
  }

  get built(): boolean {
    return this.files.has('/index.html');
  }

  get size(): number {
    return this.files.size;
  }

  /**
   * What a GET of `path` is answered with: the file itself, else index.html for a client route (a
   * path without a file extension outside assets/), else nothing (the API answers 404).
   */
  resolve(path: string): DashboardAsset | undefined {
    if (isApiPath(path)) return undefined;
    const file = this.files.get(path === '/' ? '/index.html' : path);
    if (file) return file;
    const last = path.slice(path.lastIndexOf('/') + 1);
    if (path.startsWith('/assets/') || last.includes('.')) return undefined;
    return this.files.get('/index.html');
  }
}

function toAsset(rel: string, body: Buffer): DashboardAsset {
  const ext = extname(rel).toLowerCase();
  const cacheControl = rel.startsWith('/assets/') ? IMMUTABLE : ext === '.html' ? REVALIDATE : SHORT;
  return {
    body,
    gzip: COMPRESSIBLE.has(ext) && body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined,
    contentType: TYPES[ext] ?? 'application/octet-stream',
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    cacheControl,
  };
}
