import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@agent-ledger/config';
import { z } from 'zod';
import { ArchiveStoreException, type ArchiveStore } from '../archive-store';
import { LocalArchiveStore } from '../local-archive-store';
import { BUCKET_NAME, S3ArchiveStore } from '../s3-archive-store';

const httpUrl = z.string().refine((v) => {
  try {
    return ['http:', 'https:'].includes(new URL(v).protocol);
  } catch {
    return false;
  }
}, 'must be a URL starting with http:// or https://');

/** Where to reach S3 (for a service: also which bucket); shared by the service environment and the CLI. */
const s3ConnectionEnv = {
  ARCHIVE_S3_ENDPOINT: httpUrl.optional(),
  ARCHIVE_S3_REGION: z.string().default('us-east-1'),
  ARCHIVE_S3_ACCESS_KEY_ID: z.string().optional(),
  ARCHIVE_S3_SECRET_ACCESS_KEY: z.string().optional(),
};

const bothOrNeither = <T extends { ARCHIVE_S3_ACCESS_KEY_ID?: string; ARCHIVE_S3_SECRET_ACCESS_KEY?: string }>(e: T, ctx: z.RefinementCtx) => {
  if (!e.ARCHIVE_S3_ACCESS_KEY_ID === !e.ARCHIVE_S3_SECRET_ACCESS_KEY) return;
  const missing = e.ARCHIVE_S3_ACCESS_KEY_ID ? 'ARCHIVE_S3_SECRET_ACCESS_KEY' : 'ARCHIVE_S3_ACCESS_KEY_ID';
  ctx.addIssue({ code: z.ZodIssueCode.custom, path: [missing], message: 'set both ARCHIVE_S3_ACCESS_KEY_ID and ARCHIVE_S3_SECRET_ACCESS_KEY, or neither (default credential chain)' });
};

/**
 * The archive store's variables, for a service's configuration (docs/archive-storage.md).
 * ARCHIVE_S3_BUCKET set: S3; otherwise the directory ARCHIVE_DIR (default `.stack/archive`).
 */
export const archiveStoreEnv = {
  ARCHIVE_DIR: z.string().optional(),
  ARCHIVE_S3_BUCKET: z.string().regex(BUCKET_NAME, 'must be an S3 bucket name (3-63 characters: a-z, 0-9, ".", "-")').optional(),
  ARCHIVE_S3_PREFIX: z.string().optional(),
  ...s3ConnectionEnv,
};

const archiveStoreEnvSchema = z.object(archiveStoreEnv).superRefine(bothOrNeither);
const s3ConnectionEnvSchema = z.object(s3ConnectionEnv).superRefine(bothOrNeither);

type S3Connection = z.output<typeof s3ConnectionEnvSchema>;

const s3Store = (bucket: string, prefix: string | undefined, c: S3Connection): S3ArchiveStore =>
  new S3ArchiveStore({
    bucket,
    prefix,
    endpoint: c.ARCHIVE_S3_ENDPOINT,
    region: c.ARCHIVE_S3_REGION,
    accessKeyId: c.ARCHIVE_S3_ACCESS_KEY_ID,
    secretAccessKey: c.ARCHIVE_S3_SECRET_ACCESS_KEY,
    forcePathStyle: Boolean(c.ARCHIVE_S3_ENDPOINT),
  });

/**
 * The store a service archives to. ARCHIVE_S3_BUCKET set → S3 (ARCHIVE_S3_ENDPOINT, ARCHIVE_S3_REGION
 * default us-east-1, ARCHIVE_S3_PREFIX, ARCHIVE_S3_ACCESS_KEY_ID / ARCHIVE_S3_SECRET_ACCESS_KEY, else
 * the AWS SDK's default credential chain; path-style when an endpoint is set); otherwise a
 * LocalArchiveStore at ARCHIVE_DIR (resolved against the working directory; default `.stack/archive`).
 * A malformed variable throws a ConfigValidationError naming it (values are never echoed).
 */
export function archiveStoreFromEnv(env: NodeJS.ProcessEnv): ArchiveStore {
  const c = loadConfig('archive-store', archiveStoreEnvSchema, env);
  if (c.ARCHIVE_S3_BUCKET) return s3Store(c.ARCHIVE_S3_BUCKET, c.ARCHIVE_S3_PREFIX, c);
  return new LocalArchiveStore(path.resolve(c.ARCHIVE_DIR ?? path.join('.stack', 'archive')));
}

/**
 * The store a location names, for the CLI: `s3://bucket/optional/prefix` (endpoint, region and
 * credentials from the ARCHIVE_S3_* variables of `env`), or a directory as a path (relative to
 * the working directory) or a `file://` URL. Anything else throws an `invalid_location` error.
 */
export function archiveStoreFromLocation(location: string, env: NodeJS.ProcessEnv): ArchiveStore {
  const invalid = (why: string) =>
    new ArchiveStoreException('invalid_location', `invalid archive location ${JSON.stringify(location)}: ${why}; expected s3://bucket/prefix, a directory or a file:// URL`);
  if (typeof location !== 'string' || location.trim() === '') throw invalid('it is empty');
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(location)?.[1]?.toLowerCase();
  if (scheme === 's3') {
    const m = /^s3:\/\/([^/]*)(?:\/(.*))?$/i.exec(location);
    if (!m || !m[1]) throw invalid('no bucket after s3://');
    if (!BUCKET_NAME.test(m[1])) throw invalid(`"${m[1]}" is not an S3 bucket name (3-63 characters: a-z, 0-9, ".", "-")`);
    const prefix = (m[2] ?? '').replace(/\/+$/, '');
    if (/\/\//.test(prefix) || prefix.startsWith('/')) throw invalid('the prefix has an empty segment (//)');
    return s3Store(m[1], prefix || undefined, loadConfig('archive-store', s3ConnectionEnvSchema, env));
  }
  if (scheme === 'file') {
    let dir: string;
    try {
      dir = fileURLToPath(location);
    } catch (err) {
      throw invalid((err as Error).message);
    }
    return new LocalArchiveStore(dir);
  }
  // A one-letter "scheme" is a Windows drive (C:\archive), anything longer an unsupported URL.
  if (scheme && scheme.length > 1) throw invalid(`unsupported scheme "${scheme}:"`);
  if (location.includes('\0')) throw invalid('it contains a NUL character');
  return new LocalArchiveStore(path.resolve(location));
}
