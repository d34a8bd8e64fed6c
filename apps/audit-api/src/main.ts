import './instrument';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { AUDIT_API_OPENAPI } from './openapi';
import { loadAuditApiConfig } from './config/audit-api.config';

runService({
  name: 'audit-api',
  loadConfig: () => loadAuditApiConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.AUDIT_API_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
  openApi: AUDIT_API_OPENAPI,
});
