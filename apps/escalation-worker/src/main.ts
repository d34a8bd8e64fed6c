import './instrument';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadEscalationWorkerConfig } from './config/escalation-worker.config';

runService({
  name: 'escalation-worker',
  loadConfig: () => loadEscalationWorkerConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.ESCALATION_WORKER_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
});
