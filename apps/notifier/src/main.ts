import './instrument';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadNotifierConfig } from './config/notifier.config';

runService({
  name: 'notifier',
  loadConfig: () => loadNotifierConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.NOTIFIER_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
});
