import { generateOpenApiDocument } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadAuditApiConfig } from './config/audit-api.config';

/** Title and description of the audit API's OpenAPI document (served at /docs, written to openapi/audit-api.json). */
export const AUDIT_API_OPENAPI = {
  title: 'agent-ledger audit API',
  description: 'Query, export, verify and administer the audit record of AI agent actions.',
};

/** Addresses the module is configured with for the document only: preview mode contacts none of them. */
const DOCUMENT_ENV = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://openapi@127.0.0.1:5432/openapi', REDIS_URL: 'redis://127.0.0.1:6379' };

/** The audit API's OpenAPI 3.1 document, built from its controllers without connecting anywhere. */
export function auditApiDocument() {
  return generateOpenApiDocument(AppModule.forRoot(loadAuditApiConfig(DOCUMENT_ENV)), AUDIT_API_OPENAPI);
}
