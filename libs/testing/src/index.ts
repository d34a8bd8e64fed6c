export { stackEnv, uniqueSuffix, withDatabase } from './stack-env';
export { ScratchDatabase } from './scratch-database';
export { httpStatus, waitFor, waitWhileGrowing } from './wait';
export { runToExit, ServiceProcess, SERVICES, WORKSPACE_ROOT, type ServiceName } from './service-process';
export { anActionEvent, anActionEventInput } from './builders';
export { freePort, LedgerSystem, serviceDatabaseUrl, type HttpAnswer, type LedgerSystemOptions, type TestTenant } from './ledger-system';
export { expectResponseMatchesOpenApi, LINE_MEDIA_TYPES, matchPathTemplate, type OpenApiDocument } from './openapi-response-check';
export { seededRandom } from './seeded-random';
export { EscalationTap } from './escalation-tap';
