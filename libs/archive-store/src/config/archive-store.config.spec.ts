import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigValidationError } from '@agent-ledger/config';
import { ArchiveStoreException } from '../archive-store';
import { LocalArchiveStore } from '../local-archive-store';
import { S3ArchiveStore } from '../s3-archive-store';
import { archiveStoreFromEnv, archiveStoreFromLocation } from './archive-store.config';

const SECRET = 'do-not-print-this-secret-0123456789';

describe('archive store configuration', () => {
  let dir: string;
  let cwd: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'archive-config-'));
    cwd = process.cwd();
  });

  afterEach(() => {
    process.chdir(cwd);
    rmSync(dir, { recursive: true, force: true });
  });

  describe(archiveStoreFromEnv.name, () => {
    it('should archive to <cwd>/.stack/archive when nothing is set', () => {
      process.chdir(dir);
      const store = archiveStoreFromEnv({});
      expect(store).toBeInstanceOf(LocalArchiveStore);
      expect(store.location).toBe(pathToFileURL(path.join(dir, '.stack', 'archive')).href);
    });

    it('should archive to ARCHIVE_DIR when it is set, resolved against the working directory', () => {
      process.chdir(dir);
      expect(archiveStoreFromEnv({ ARCHIVE_DIR: `${dir}/x/../abs` }).location).toBe(pathToFileURL(path.join(dir, 'abs')).href);
      expect(archiveStoreFromEnv({ ARCHIVE_DIR: 'rel/arch' }).location).toBe(pathToFileURL(path.join(dir, 'rel', 'arch')).href);
    });

    it('should archive to S3 when ARCHIVE_S3_BUCKET is set, without credentials in the location', () => {
      const store = archiveStoreFromEnv({
        ARCHIVE_S3_BUCKET: 'ledger-archive',
        ARCHIVE_S3_PREFIX: '/prod/eu/',
        ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:1',
        ARCHIVE_S3_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        ARCHIVE_S3_SECRET_ACCESS_KEY: SECRET,
        ARCHIVE_DIR: dir,
      });
      expect(store).toBeInstanceOf(S3ArchiveStore);
      expect(store.location).toBe('s3://ledger-archive/prod/eu');
    });

    it('should treat an empty ARCHIVE_S3_BUCKET as unset when the environment has it empty', () => {
      expect(archiveStoreFromEnv({ ARCHIVE_S3_BUCKET: '', ARCHIVE_DIR: dir })).toBeInstanceOf(LocalArchiveStore);
    });

    it('should name every bad variable without echoing a value when the environment is wrong', () => {
      let err: unknown;
      try {
        archiveStoreFromEnv({ ARCHIVE_S3_BUCKET: 'Bad_Bucket', ARCHIVE_S3_ENDPOINT: 'ftp://x', ARCHIVE_S3_SECRET_ACCESS_KEY: SECRET });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ConfigValidationError);
      const message = (err as Error).message;
      expect(message).toContain('ARCHIVE_S3_BUCKET');
      expect(message).toContain('ARCHIVE_S3_ENDPOINT');
      expect(message).toContain('ARCHIVE_S3_ACCESS_KEY_ID');
      expect(message).not.toContain(SECRET);
    });
  });

  describe(archiveStoreFromLocation.name, () => {
    it.each([
      ['s3://ledger-archive', 's3://ledger-archive'],
      ['s3://ledger-archive/', 's3://ledger-archive'],
      ['s3://ledger-archive/prod/eu/', 's3://ledger-archive/prod/eu'],
      ['S3://ledger-archive/prod', 's3://ledger-archive/prod'],
    ])('should open an S3 store when given %j', (location, expected) => {
      const store = archiveStoreFromLocation(location, { ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:1', ARCHIVE_S3_BUCKET: 'ignored-bucket' });
      expect(store).toBeInstanceOf(S3ArchiveStore);
      expect(store.location).toBe(expected);
    });

    it('should open a local store when given a directory path or a file URL', () => {
      const sub = path.join(dir, 'a b');
      expect(archiveStoreFromLocation(sub, {}).location).toBe(pathToFileURL(sub).href);
      expect(archiveStoreFromLocation(pathToFileURL(sub).href, {}).location).toBe(pathToFileURL(sub).href);
      process.chdir(dir);
      expect(archiveStoreFromLocation('./rel', {}).location).toBe(pathToFileURL(path.join(dir, 'rel')).href);
    });

    it.each([
      ['', 'empty'],
      ['   ', 'empty'],
      ['s3://', 'no bucket'],
      ['s3:///prefix', 'no bucket'],
      ['s3://No_Such', 'not an S3 bucket name'],
      ['s3://bucket/a//b', 'empty segment'],
      ['s3://bucket/a/../b', '".." segment'],
      ['gs://bucket/x', 'unsupported scheme "gs:"'],
      ['https://example.com/bucket', 'unsupported scheme "https:"'],
      ['file://remote-host/dir', 'host must be "localhost" or empty'],
    ])('should throw a clear error when given %j', (location, why) => {
      let err: unknown;
      try {
        archiveStoreFromLocation(location, {});
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ArchiveStoreException);
      expect((err as ArchiveStoreException).code).toBe('invalid_location');
      expect((err as Error).message).toContain(why);
    });

    it('should refuse half a credential pair without echoing it when the S3 environment is incomplete', () => {
      expect(() => archiveStoreFromLocation('s3://bucket-x', { ARCHIVE_S3_SECRET_ACCESS_KEY: SECRET })).toThrow(/ARCHIVE_S3_ACCESS_KEY_ID/);
      expect(() => archiveStoreFromLocation('s3://bucket-x', { ARCHIVE_S3_SECRET_ACCESS_KEY: SECRET })).not.toThrow(new RegExp(SECRET));
    });
  });
});
