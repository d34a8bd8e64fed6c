import pino, { type Logger } from 'pino';
import { LOG_SERIALIZERS } from './log-serializers';
import { activeTraceIds } from './tracing';

/**
 * Paths that never reach a log line: secrets, and the places an event payload or a statement's
 * values would sit if an object carrying them were logged. Errors are serialized by allow-list
 * (log-serializers.ts), so their parameters, driver errors and details are dropped before this.
 */
export const LOG_REDACT_PATHS = [
  'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'apiKey', '*.apiKey',
  'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization',
  'headers.cookie', 'req.headers.cookie', 'key', '*.key', 'signingKey', 'masterKey',
  'parameters', '*.parameters', 'driverError', '*.driverError', 'detail', '*.detail',
  'event', '*.event', 'payload', '*.payload', 'body', '*.body', 'input', '*.input', 'output', '*.output',
];

let root: Logger | undefined;

/**
 * The process-wide structured logger (JSON lines on stdout, or `destination` in tests). A line
 * written while a span is active carries its `trace_id`, `span_id` and `trace_flags` (the field
 * names of OpenTelemetry's log data model), so logs and traces join on the trace id.
 */
export function rootLogger(options: { service?: string; level?: string; destination?: pino.DestinationStream } = {}): Logger {
  if (!root || options.service || options.destination) {
    const settings: pino.LoggerOptions = {
      level: options.level ?? root?.level ?? 'info',
      base: { service: options.service ?? (root?.bindings().service as string | undefined) },
      redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' },
      serializers: LOG_SERIALIZERS,
      timestamp: pino.stdTimeFunctions.isoTime,
      mixin: activeTraceIds,
    };
    root = options.destination ? pino(settings, options.destination) : pino(settings);
  }
  return root;
}

/** One logger per class: `createLogger(MyService.name)`. */
export function createLogger(component: string): Logger {
  return rootLogger().child({ component });
}

export type { Logger };
