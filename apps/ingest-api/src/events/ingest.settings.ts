export const INGEST_SETTINGS = Symbol('INGEST_SETTINGS');

export interface IngestSettings {
  maxEvents: number;
  maxBodyBytes: number;
  publishTimeoutMs: number;
  /** Events in progress (taken and not yet answered, Kafka's wait included) beyond which a request is answered 503 at once. */
  maxPendingEvents: number;
  tenantCacheTtlMs: number;
  /** PII encryption before publishing: without a master key (never in production) PII is published as sent. */
  pii: { masterKey?: Buffer; previousMasterKeys?: Buffer[]; keyTimeoutMs: number; keyCacheTtlMs: number };
}
