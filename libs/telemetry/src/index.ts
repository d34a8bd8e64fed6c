export {
  activeTraceIds,
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
export { collectedGauge, counter, gauge, histogram, metricsRegistry } from './metrics';
export { MAX_BATCH_LINKS, withConsumerBatchSpan, withMessageSpan, withPublishSpans, type ConsumedBatch, type OutgoingMessageSpan } from './message-spans';
export { agentActionAttributes, genAiAttributes, type AgentActionEventLike, type AgentActionFacts, type SpanAttributes } from './semconv';
export * as semconv from './semconv';
export { readTelemetryConfig, type TelemetryConfig } from './config/telemetry.config';
