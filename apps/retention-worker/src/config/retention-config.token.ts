/** Injection token of the worker's {@link RetentionConfig} (parsed once at boot). */
export const RETENTION_CONFIG = Symbol('RETENTION_CONFIG');
