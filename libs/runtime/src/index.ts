export { bootstrapService, runService, type ServiceBootstrap } from './bootstrap';
export { HealthController } from './health.controller';
export { INFRA_OPTIONS, InfraModule, KAFKA, REDIS, type InfraOptions } from './infra.module';
export { PinoNestLogger } from './pino-nest.logger';
export { ReadinessService, type ReadinessCheck, type ReadinessReport, type WorkerHealth } from './readiness.service';
export { ApiError, type ErrorBody, type FieldProblem } from './http/api-error';
export { HttpErrorFilter, toApiError } from './http/http-error.filter';
export { parseInput } from './http/parse-input';
export { ApiInput, ApiKeyAuth, jsonSchemaOf, setupOpenApi } from './http/openapi';
