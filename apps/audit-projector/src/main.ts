import './instrument';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadAuditProjectorConfig } from './config/audit-projector.config';

runService({
  name: 'audit-projector',
  loadConfig: () => loadAuditProjectorConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.AUDIT_PROJECTOR_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
});
