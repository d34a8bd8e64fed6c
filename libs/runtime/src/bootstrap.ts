import type { Server } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigValidationError } from '@agent-ledger/config';
import { rootLogger, stopTelemetry } from '@agent-ledger/telemetry';
import { connectConsumers } from './consumers/connect-consumers';
import type { KafkaConsumerTransport } from './consumers/kafka-consumer.transport';
import { HttpErrorFilter } from './http/http-error.filter';
import { setupOpenApi } from './http/openapi';
import { answerMalformedRequests } from './http/malformed-requests';
import { configureHttpInput, type HttpInputOptions } from './http/request-body';
import { PinoNestLogger } from './pino-nest.logger';

export interface ServiceBootstrap<C> {
  name: string;
  /** Parses and validates the environment; throws ConfigValidationError naming each bad variable. */
  loadConfig(): C;
  module(config: C): unknown;
  port(config: C): number;
  host(config: C): string;
  logLevel(config: C): string;
  shutdownTimeoutMs(config: C): number;
  /** Request body limits (default: 256 KiB, JSON nested at most 64 levels). */
  httpInput?(config: C): HttpInputOptions;
  /** Extra HTTP setup. */
  configure?(app: INestApplication, config: C): void | Promise<void>;
  /** Serves an OpenAPI document of the service's endpoints at /docs and /docs-json. */
  openApi?: { title: string; description: string };
  /** Every 5xx answered as 503 with Retry-After (for a service whose clients may always retry). */
  serverErrorsAsUnavailable?: boolean;
}

const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/**
 * Starts a service: config first (a bad variable stops the process with exit code 1 and the list of
 * problems), then the Nest app with shutdown hooks, then HTTP. SIGTERM/SIGINT drain and close;
 * a shutdown that overruns its timeout is forced.
 */
export async function bootstrapService<C>(b: ServiceBootstrap<C>): Promise<INestApplication> {
  let config: C;
  try {
    config = b.loadConfig();
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = rootLogger({ service: b.name, level: b.logLevel(config) });
  // Nest's own body parsers stay off: configureHttpInput installs the one JSON parser and the checks.
  const app = await NestFactory.create(b.module(config) as never, { logger: new PinoNestLogger(), bufferLogs: true, bodyParser: false });
  app.useGlobalFilters(new HttpErrorFilter({ serverErrorsAsUnavailable: b.serverErrorsAsUnavailable }));
  configureHttpInput(app, b.httpInput?.(config) ?? { maxBodyBytes: DEFAULT_MAX_BODY_BYTES });
  answerMalformedRequests(app.getHttpServer() as Server);
  await b.configure?.(app, config);
  if (b.openApi) setupOpenApi(app, { ...b.openApi, version: '1', serverErrorsAsUnavailable: b.serverErrorsAsUnavailable });
  // Kafka consumers run as a Nest microservice (KafkaConsumerTransport), started once the app is
  // initialised and before HTTP answers, so /health/ready already covers them.
  const consumers = connectConsumers(app);
  await app.init();
  await app.startAllMicroservices();
  const port = b.port(config);
  const host = b.host(config);
  await app.listen(port, host);
  log.info({ port, host }, `${b.name} listening on http://${host}:${port}`);

  // Shutdown hooks: SIGTERM/SIGINT stop the consumers first (slices in flight finish, offsets are
  // committed, the groups are left), then close the app (destroy hooks, last checkpoint, HTTP,
  // connections) and exit 0; a shutdown that overruns its timeout exits 1. (Nest itself closes
  // microservices after the destroy hooks, too late for work that needs the consumers stopped; and its
  // enableShutdownHooks would re-raise the signal after closing, which reports a clean stop as "killed".)
  const timeoutMs = b.shutdownTimeoutMs(config);
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      log.info({ signal }, 'shutting down');
      setTimeout(() => {
        log.error({ timeoutMs }, 'shutdown timed out; exiting');
        process.exit(1);
      }, timeoutMs).unref();
      closeService(app, consumers)
        .then(() => stopTelemetry())
        .then(
          () => {
            log.info('stopped');
            process.exit(0);
          },
          (err) => {
            log.error({ err }, 'error during shutdown');
            process.exit(1);
          },
        );
    });
  }
  return app;
}

/**
 * Closes a service in order: its consumers first (each slice in flight finishes, offsets are
 * committed, the groups are left), then the app (destroy hooks, HTTP, connections; Nest's own close
 * of the transport is then a no-op).
 */
export async function closeService(app: INestApplication, consumers?: Pick<KafkaConsumerTransport, 'close'>): Promise<void> {
  await consumers?.close();
  await app.close();
}

/** Entry point helper: runs bootstrap and turns an unexpected failure into exit code 1. */
export function runService<C>(b: ServiceBootstrap<C>): void {
  bootstrapService(b).catch((err) => {
    rootLogger().fatal({ err }, `${b.name} failed to start`);
    process.exit(1);
  });
}
