import './instrument';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadRetentionConfig } from './config/retention.config';

runService({
  name: 'retention-worker',
  loadConfig: () => loadRetentionConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.RETENTION_WORKER_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
});
