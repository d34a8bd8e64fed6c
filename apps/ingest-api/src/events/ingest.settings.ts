export const INGEST_SETTINGS = Symbol('INGEST_SETTINGS');

export interface IngestSettings {
  maxEvents: number;
  maxBodyBytes: number;
  publishTimeoutMs: number;
  /** Events queued or in flight to Kafka beyond which a request is answered 503 at once. */
  maxPendingEvents: number;
  tenantCacheTtlMs: number;
}
