/** Injection token of the {@link ArchiveStore} purges write to (from the environment: archiveStoreFromEnv). */
export const ARCHIVE_STORE = Symbol('ARCHIVE_STORE');
