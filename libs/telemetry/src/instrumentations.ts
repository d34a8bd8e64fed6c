import type { Instrumentation } from '@opentelemetry/instrumentation';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';

/** Health probes and Prometheus scrapes: frequent, and of no interest in a trace. */
const UNTRACED_PATHS = /^\/(health|metrics)(\/|\?|$)/;

/**
 * What is traced automatically: HTTP in and out (node:http, and fetch through undici), PostgreSQL
 * (pg) and Redis (ioredis, BullMQ's client). Database and Redis calls are traced only inside a
 * traced operation (`requireParentSpan`): pool checks, BullMQ's blocking polls and timer sweeps
 * would otherwise each start a trace of their own. Statements are recorded without their values
 * (pg: placeholders only; Redis: the command name only, since keys name tenants and sessions).
 * Checking a connection out of the pool (once per TypeORM query) is not a span of its own.
 */
export function ledgerInstrumentations(): Instrumentation[] {
  return [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.test(req.url ?? ''),
    }),
    new UndiciInstrumentation(),
    new PgInstrumentation({ requireParentSpan: true, enhancedDatabaseReporting: false, ignoreConnectSpans: true }),
    new IORedisInstrumentation({ requireParentSpan: true, dbStatementSerializer: (command) => command }),
  ];
}
