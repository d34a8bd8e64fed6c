export { ArchiveStoreException, type ArchiveStore, type ArchiveStoreExceptionCode } from './archive-store';
export { assertArchiveKey, assertArchivePrefix } from './archive-key';
export { LocalArchiveStore } from './local-archive-store';
export { S3ArchiveStore, type S3ArchiveStoreOptions } from './s3-archive-store';
export { archiveStoreEnv, archiveStoreFromEnv, archiveStoreFromLocation } from './config/archive-store.config';
