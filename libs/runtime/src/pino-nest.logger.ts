import type { LoggerService } from '@nestjs/common';
import { rootLogger } from '@agent-ledger/telemetry';

/** Nest's own messages go through the structured logger. */
export class PinoNestLogger implements LoggerService {
  private readonly pino = rootLogger().child({ component: 'nest' });

  log(message: unknown, context?: string): void {
    this.pino.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.pino.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.pino.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.pino.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.pino.trace({ context }, String(message));
  }
}
