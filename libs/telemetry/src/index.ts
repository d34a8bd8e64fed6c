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
export { counter, gauge, histogram, metricsRegistry } from './metrics';
