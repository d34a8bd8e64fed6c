import pino, { type Logger } from 'pino';

/** Paths that never reach a log line. */
export const LOG_REDACT_PATHS = [
  'password', '*.password', 'secret', '*.secret', 'token', '*.token', 'apiKey', '*.apiKey',
  'authorization', '*.authorization', 'req.headers.authorization', 'headers.authorization',
  'headers.cookie', 'req.headers.cookie', 'key', '*.key', 'signingKey', 'masterKey',
];

let root: Logger | undefined;

/** The process-wide structured logger (JSON lines on stdout). */
export function rootLogger(options: { service?: string; level?: string } = {}): Logger {
  if (!root || options.service) {
    root = pino({
      level: options.level ?? root?.level ?? 'info',
      base: { service: options.service ?? (root?.bindings().service as string | undefined) },
      redact: { paths: LOG_REDACT_PATHS, censor: '[REDACTED]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    });
  }
  return root;
}

/** One logger per class: `createLogger(MyService.name)`. */
export function createLogger(component: string): Logger {
  return rootLogger().child({ component });
}

export type { Logger };
