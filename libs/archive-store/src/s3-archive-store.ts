import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { assertArchiveKey, assertArchivePrefix } from './archive-key';
import { ArchiveStoreException, compareKeys, describeFailure, type ArchiveStore } from './archive-store';

export interface S3ArchiveStoreOptions {
  bucket: string;
  /** Folder inside the bucket, without leading or trailing `/` (they are stripped). */
  prefix?: string;
  /** An S3-compatible server (S3Proxy, MinIO…); unset: AWS S3 of `region`. */
  endpoint?: string;
  /** Default us-east-1. */
  region?: string;
  /** Both or neither; neither: the AWS SDK's default credential chain (environment, profile, instance role…). */
  accessKeyId?: string;
  secretAccessKey?: string;
  /** `http://endpoint/bucket/key` instead of `http://bucket.endpoint/key`; default: true when `endpoint` is set. */
  forcePathStyle?: boolean;
}

/** A request that takes longer fails (and is retried by the SDK) instead of hanging on a dead endpoint. */
const REQUEST_TIMEOUT_MS = 30_000;
const CONNECTION_TIMEOUT_MS = 5_000;

/** AWS's bucket naming rules (3–63 characters: lowercase letters, digits, dots, hyphens). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const errorName = (err: unknown): string | undefined => (err as { name?: string } | undefined)?.name;
const httpStatus = (err: unknown): number | undefined => (err as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;

/**
 * Objects in an S3 bucket (or an S3-compatible server) under an optional prefix: key `a/b.gz`
 * is `<prefix>/a/b.gz`. PutObject replaces an object atomically, so a reader never sees a part.
 */
export class S3ArchiveStore implements ArchiveStore {
  readonly location: string;
  private readonly client: S3Client;
  private readonly bucket: string;
  /** '' or `<prefix>/`. */
  private readonly keyPrefix: string;

  constructor(o: S3ArchiveStoreOptions) {
    if (!o.bucket || !BUCKET_NAME.test(o.bucket)) {
      throw new ArchiveStoreException('invalid_location', `invalid S3 bucket name ${JSON.stringify(o.bucket)} (3-63 characters: a-z, 0-9, ".", "-")`);
    }
    const prefix = (o.prefix ?? '').replace(/^\/+|\/+$/g, '');
    if (prefix) {
      try {
        assertArchiveKey(prefix);
      } catch (err) {
        throw new ArchiveStoreException('invalid_location', `invalid S3 prefix ${JSON.stringify(o.prefix)}: ${(err as Error).message}`);
      }
    }
    if (!o.accessKeyId !== !o.secretAccessKey) {
      throw new ArchiveStoreException('invalid_location', 'S3 credentials need both an access key id and a secret access key (or neither)');
    }
    this.bucket = o.bucket;
    this.keyPrefix = prefix ? `${prefix}/` : '';
    this.location = `s3://${o.bucket}${prefix ? `/${prefix}` : ''}`;
    this.client = new S3Client({
      region: o.region || 'us-east-1',
      endpoint: o.endpoint || undefined,
      forcePathStyle: o.forcePathStyle ?? Boolean(o.endpoint),
      credentials: o.accessKeyId && o.secretAccessKey ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey } : undefined,
      requestHandler: { connectionTimeout: CONNECTION_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    });
  }

  async put(key: string, body: Buffer, contentType: string): Promise<void> {
    assertArchiveKey(key);
    try {
      await this.client.send(new PutObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key, Body: body, ContentType: contentType }));
    } catch (err) {
      throw this.failure(`could not write archive object "${key}" to ${this.location}`, err);
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    assertArchiveKey(key);
    try {
      const res = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.keyPrefix + key }));
      if (!res.Body) return Buffer.alloc(0);
      const bytes = await res.Body.transformToByteArray();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (err) {
      // A missing bucket is a configuration error, not a missing object: it must not read as "no archive".
      if (errorName(err) !== 'NoSuchBucket' && (errorName(err) === 'NoSuchKey' || httpStatus(err) === 404)) return undefined;
      throw this.failure(`could not read archive object "${key}" from ${this.location}`, err);
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertArchivePrefix(prefix);
    const keys: string[] = [];
    let continuationToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.keyPrefix + prefix, ContinuationToken: continuationToken }),
        );
        for (const object of page.Contents ?? []) {
          if (object.Key?.startsWith(this.keyPrefix)) keys.push(object.Key.slice(this.keyPrefix.length));
        }
        continuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (continuationToken);
    } catch (err) {
      throw this.failure(`could not list archive prefix "${prefix}" in ${this.location}`, err);
    }
    return keys.sort(compareKeys);
  }

  /** Closes the SDK's connections (tests, shutdown). */
  destroy(): void {
    this.client.destroy();
  }

  private failure(what: string, err: unknown): ArchiveStoreException {
    return new ArchiveStoreException('store_unavailable', `${what}: ${describeFailure(err)}`, { cause: err });
  }
}
