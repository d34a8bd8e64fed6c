export { ConfigValidationError, envVariableNames, loadConfig } from './load-config';
export * from './env-fields';
