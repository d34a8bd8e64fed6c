export const INGEST_SETTINGS = Symbol('INGEST_SETTINGS');

export interface IngestSettings {
  maxEvents: number;
  maxBodyBytes: number;
  publishTimeoutMs: number;
  tenantCacheTtlMs: number;
}
