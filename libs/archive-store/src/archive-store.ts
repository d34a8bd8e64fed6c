/**
 * Where the retention feature keeps what leaves the database: whole objects under `/`-separated
 * keys (e.g. `tenants/<uuid>/000001.jsonl.gz`), in a local directory or an S3 bucket.
 */
export interface ArchiveStore {
  /** Where objects go, for people and records: `file:///abs/dir` or `s3://bucket/prefix` — never credentials. */
  readonly location: string;
  /** Writes an object whole (a reader never sees a partial object); an existing one is overwritten. */
  put(key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Buffer | undefined>;
  /** Every key under `prefix` (all pages), sorted ascending. */
  list(prefix: string): Promise<string[]>;
}

export type ArchiveStoreExceptionCode =
  /** A key or prefix that is not a safe relative `/`-separated name. */
  | 'invalid_key'
  /** A location or store setting that names no usable store. */
  | 'invalid_location'
  /** The store did not answer or refused a read, write or listing. */
  | 'store_unavailable';

/** Every error an archive store raises. Messages name the key and the location, never credentials. */
export class ArchiveStoreException extends Error {
  constructor(
    readonly code: ArchiveStoreExceptionCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ArchiveStoreException';
  }
}

/** Ascending by UTF-8 bytes: the order S3 lists keys in, so both stores sort alike. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** A short description of a failure for a message: the error's name, code or status and text. */
export function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const e = err as Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };
  const parts = [e.name !== 'Error' ? e.name : undefined, typeof e.code === 'string' ? e.code : undefined].filter(
    (p, i, all): p is string => !!p && all.indexOf(p) === i,
  );
  const status = e.$metadata?.httpStatusCode;
  const head = [...parts, status ? `HTTP ${status}` : undefined].filter(Boolean).join(', ');
  return head ? `${head}: ${e.message}` : e.message;
}
