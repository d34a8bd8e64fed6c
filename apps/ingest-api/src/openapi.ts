import { generateOpenApiDocument } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadIngestApiConfig } from './config/ingest-api.config';

/** Title and description of the ingest API's OpenAPI document (served at /docs, written to openapi/ingest-api.json). */
export const INGEST_API_OPENAPI = {
  title: 'agent-ledger ingest API',
  description: 'Report AI agent actions and signals (schema v1). Answers 202 once Kafka acknowledged.',
  // As main.ts serves it: every 5xx is a 503 with Retry-After, so the document declares no 500.
  serverErrorsAsUnavailable: true,
};

/** Addresses the module is configured with for the document only: preview mode contacts none of them. */
const DOCUMENT_ENV = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://openapi@127.0.0.1:5432/openapi', REDIS_URL: 'redis://127.0.0.1:6379' };

/** The ingest API's OpenAPI 3.1 document, built from its controllers without connecting anywhere. */
export function ingestApiDocument() {
  return generateOpenApiDocument(AppModule.forRoot(loadIngestApiConfig(DOCUMENT_ENV)), INGEST_API_OPENAPI);
}
