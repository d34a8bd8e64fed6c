import './instrument';
import { MAX_JSON_DEPTH } from '@agent-ledger/contracts';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { requestBytesAdmission } from './events/request-bytes.admission';
import { OTLP_PROTOBUF, OTLP_TRACES_PATH } from './otlp/otlp-traces.controller';
import { INGEST_API_OPENAPI } from './openapi';
import { loadIngestApiConfig } from './config/ingest-api.config';

runService({
  name: 'ingest-api',
  loadConfig: () => loadIngestApiConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.INGEST_API_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
  openApi: INGEST_API_OPENAPI,
  // JSON, and OTLP protobuf on /v1/traces, up to the limit (413 beyond); a batch envelope ({"events":[…]}) adds two levels to an event's 64.
  // Request bytes in progress are bounded before a body is read (503 ingest_overloaded beyond).
  httpInput: (config) => ({
    maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
    maxJsonDepth: MAX_JSON_DEPTH + 2,
    beforeBody: requestBytesAdmission(config.INGEST_MAX_PENDING_BYTES, config.INGEST_MAX_BODY_BYTES),
    binaryBody: { path: OTLP_TRACES_PATH, mediaTypes: [OTLP_PROTOBUF] },
  }),
  // Every 5xx is a 503 with Retry-After: a client retrying with the same eventIds is always safe.
  serverErrorsAsUnavailable: true,
});
