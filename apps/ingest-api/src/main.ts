import './instrument';
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
});
