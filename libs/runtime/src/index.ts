export { bootstrapService, runService, type ServiceBootstrap } from './bootstrap';
export { HealthController } from './health.controller';
export { INFRA_OPTIONS, InfraModule, KAFKA, REDIS, type InfraOptions } from './infra.module';
export { PinoNestLogger } from './pino-nest.logger';
export { ReadinessService, type ReadinessCheck, type ReadinessReport } from './readiness.service';
