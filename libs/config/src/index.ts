export { ConfigValidationError, envVariableNames, loadConfig, type LoadConfigOptions } from './load-config';
export { PUBLISHED_DEVELOPMENT_SECRETS, refuseDevelopmentSecrets, type ConfigProblem } from './development-secrets';
export * from './env-fields';
export { KAFKA_SASL_MECHANISMS, kafkaSecurityEnv, kafkaSecurityOf, kafkaSecurityProblems, type KafkaSaslMechanism, type KafkaSecurityConfig } from './kafka-env';
