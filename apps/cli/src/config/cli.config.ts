import { UsageError } from '../errors/cli.error';

export const DEFAULT_LEDGER_URL = 'http://127.0.0.1:3200';

/** What the CLI takes from the environment (flags win). */
export interface CliEnvironment {
  /** LEDGER_URL: base URL of the audit API. */
  url?: string;
  /** LEDGER_API_KEY: an API key of the tenant (scope read). */
  apiKey?: string;
  /** LEDGER_SIGNING_PUBLIC_KEY: trusted checkpoint public keys for offline verification (base64 SPKI DER, comma-separated). */
  publicKeys?: string[];
  /** The ARCHIVE_S3_* variables, for `verify --archive s3://…` (endpoint, region, credentials). */
  archiveEnv?: NodeJS.ProcessEnv;
}

/** The one place the CLI reads the process environment. */
export function readCliEnvironment(env: NodeJS.ProcessEnv = process.env): CliEnvironment {
  const value = (name: string) => env[name]?.trim() || undefined;
  const publicKeys = value('LEDGER_SIGNING_PUBLIC_KEY')?.split(',').map((k) => k.trim()).filter(Boolean);
  const archiveEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('ARCHIVE_S3_')));
  return { url: value('LEDGER_URL'), apiKey: value('LEDGER_API_KEY'), ...(publicKeys?.length ? { publicKeys } : {}), ...(Object.keys(archiveEnv).length ? { archiveEnv } : {}) };
}

export interface Connection {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:3200 */
  baseUrl: string;
  apiKey: string;
  /** Milliseconds to wait for response headers (not for a whole export or tail). */
  timeoutMs: number;
}

/** Resolves the audit API's URL and key from flags, then the environment; usage errors name what is missing. */
export function resolveConnection(flags: { url?: string; key?: string; timeout?: number }, env: CliEnvironment): Connection {
  const raw = flags.url ?? env.url ?? DEFAULT_LEDGER_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(`--url / LEDGER_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`--url / LEDGER_URL must be http:// or https:// (is ${url.protocol})`);
  if (url.username || url.password) throw new UsageError('--url / LEDGER_URL must not carry credentials: pass the API key with --key or LEDGER_API_KEY');
  if (url.search || url.hash) throw new UsageError('--url / LEDGER_URL is the base URL of the audit API, without a query or fragment');
  const apiKey = flags.key ?? env.apiKey;
  if (!apiKey) throw new UsageError('no API key: pass --key or set LEDGER_API_KEY (a key of your tenant with scope read)');
  return { baseUrl: url.toString().replace(/\/+$/, ''), apiKey, timeoutMs: flags.timeout ?? 30_000 };
}
