import { z } from 'zod';
import { kafkaSecurityEnv } from './kafka-env';

const required = (name: string) => ({ required_error: `${name} is required` });

export const port = (fallback: number) =>
  z.coerce.number().int().min(1, 'must be a TCP port (1-65535)').max(65535, 'must be a TCP port (1-65535)').default(fallback);

export const nodeEnv = z.enum(['development', 'test', 'production']).default('development');

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info');

/** Comma-separated `host:port` list. */
export const kafkaBrokers = z
  .string(required('KAFKA_BROKERS'))
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(
    z
      .array(z.string().regex(/^[A-Za-z0-9.\-_[\]:]+:\d{1,5}$/, 'each broker must be host:port'))
      .min(1, 'at least one broker host:port is required'),
  );

const urlWithProtocol = (name: string, protocols: string[]) =>
  z.string(required(name)).refine((v) => {
    try {
      return protocols.includes(new URL(v).protocol);
    } catch {
      return false;
    }
  }, `must be a URL starting with ${protocols.map((p) => p + '//').join(' or ')}`);

export const databaseUrl = urlWithProtocol('DATABASE_URL', ['postgres:', 'postgresql:']);
export const redisUrl = urlWithProtocol('REDIS_URL', ['redis:', 'rediss:']);

export const booleanFlag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Environment shared by every service: identity, HTTP bind address, and the three connections (Kafka with its security). */
export const commonEnv = {
  NODE_ENV: nodeEnv,
  LOG_LEVEL: logLevel,
  HOST: z.string().default('127.0.0.1'),
  KAFKA_BROKERS: kafkaBrokers,
  KAFKA_CLIENT_ID: z.string().optional(),
  // Read by libs/contracts when it loads (every topic name and default group id starts with it); declared here so deployments know it exists.
  KAFKA_TOPIC_PREFIX: z.string().optional(),
  ...kafkaSecurityEnv,
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().positive().default(15_000),
  // Read by libs/telemetry at instrument time; declared here so deployments know it exists.
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
};

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A secret key of exactly `bytes` bytes, base64-encoded (never echoed in errors). */
export const base64Key = (bytes: number) =>
  z.string().transform((v, ctx) => {
    const decoded = BASE64.test(v) && v.length % 4 === 0 ? Buffer.from(v, 'base64') : undefined;
    if (!decoded || decoded.length !== bytes) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be ${bytes} bytes, base64-encoded` });
      return z.NEVER;
    }
    return decoded;
  });

/** Comma-separated secret keys of exactly `bytes` bytes each, base64-encoded (never echoed in errors). */
export const base64KeyList = (bytes: number) =>
  z.string().transform((v, ctx) => {
    const items = v.split(',').map((s) => s.trim()).filter(Boolean);
    const keys = items.map((s) => (BASE64.test(s) && s.length % 4 === 0 ? Buffer.from(s, 'base64') : undefined));
    if (!keys.length || keys.some((k) => !k || k.length !== bytes)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `must be one or more keys of ${bytes} bytes, base64-encoded, separated by commas` });
      return z.NEVER;
    }
    return keys as Buffer[];
  });

/**
 * LEDGER_PREVIOUS_MASTER_KEYS: other master keys that unwrap but never wrap — the coming key during
 * stage 1 of a rotation, the old one until `npm run keys -- rewrap` moved every wrap (docs/keys.md).
 */
export const previousMasterKeys = base64KeyList(32).optional();

/** A comma-separated list of base64 values (e.g. public keys: the current one and those rotated out). */
export const base64List = z.string().transform((v, ctx) => {
  const items = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!items.length || items.some((s) => !BASE64.test(s))) {
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be one or more base64 values separated by commas' });
    return z.NEVER;
  }
  return items;
});
