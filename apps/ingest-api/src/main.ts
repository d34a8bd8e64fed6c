import './instrument';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadIngestApiConfig } from './config/ingest-api.config';

runService({
  name: 'ingest-api',
  loadConfig: () => loadIngestApiConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.INGEST_API_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
  openApi: { title: 'agent-ledger ingest API', description: 'Report AI agent actions and signals (schema v1). Answers 202 once Kafka acknowledged.' },
  configure: (app, config) => {
    // Registered before Nest's default parser, which then stays out: JSON only, up to the limit (413 beyond).
    (app as NestExpressApplication).useBodyParser('json', { limit: config.INGEST_MAX_BODY_BYTES, type: ['application/json', 'application/*+json'] });
  },
});
