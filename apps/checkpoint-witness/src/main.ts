import './instrument';
import { runService } from '@agent-ledger/runtime';
import { AppModule } from './app.module';
import { loadWitnessConfig } from './config/witness.config';

runService({
  name: 'checkpoint-witness',
  loadConfig: () => loadWitnessConfig(),
  module: (config) => AppModule.forRoot(config),
  port: (config) => config.CHECKPOINT_WITNESS_PORT,
  host: (config) => config.HOST,
  logLevel: (config) => config.LOG_LEVEL,
  shutdownTimeoutMs: (config) => config.SHUTDOWN_TIMEOUT_MS,
});
