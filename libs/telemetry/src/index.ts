export {
  currentTraceparent,
  extractTraceContext,
  injectTraceHeaders,
  startTelemetry,
  stopTelemetry,
  withSpan,
  type MessageHeaders,
} from './tracing';
export { createLogger, LOG_REDACT_PATHS, rootLogger, type Logger } from './logger';
export { censorQuery, LOG_SERIALIZERS, serializeError, type LoggedError } from './log-serializers';
export { counter, gauge, histogram, metricsRegistry } from './metrics';
