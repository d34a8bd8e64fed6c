import { accessSync, constants, readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ConfigProblem } from './development-secrets';

/**
 * Kafka connection security, read by every service and by the tools that build a Kafka client
 * (docs/kafka-security.md). Values are never echoed in errors; passwords may come from a file.
 */

const flag = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** A path to a file this process can read; with `pem`, the file must hold a PEM block. */
const readableFile = (pem: boolean) =>
  z.string().superRefine((file, ctx) => {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must name a file this process can read (missing or not readable)' });
      return;
    }
    if (pem && !readFileSync(file, 'utf8').includes('-----BEGIN ')) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must name a PEM file (no -----BEGIN block found)' });
    }
  });

export const KAFKA_SASL_MECHANISMS = ['plain', 'scram-sha-256', 'scram-sha-512'] as const;
export type KafkaSaslMechanism = (typeof KAFKA_SASL_MECHANISMS)[number];

export const kafkaSecurityEnv = {
  /** TLS to the brokers (the listener must be SSL or SASL_SSL). */
  KAFKA_SSL: flag(false),
  /** CA certificates (PEM) the brokers' certificates are checked against; default: the system's trust store. */
  KAFKA_SSL_CA_FILE: readableFile(true).optional(),
  /** Client certificate (PEM) for brokers that require one (ssl.client.auth=required); with KAFKA_SSL_KEY_FILE. */
  KAFKA_SSL_CERT_FILE: readableFile(true).optional(),
  KAFKA_SSL_KEY_FILE: readableFile(true).optional(),
  /** Passphrase of an encrypted KAFKA_SSL_KEY_FILE, or a file holding it. */
  KAFKA_SSL_KEY_PASSWORD: z.string().optional(),
  KAFKA_SSL_KEY_PASSWORD_FILE: readableFile(false).optional(),
  /** Whether a broker certificate that does not verify is refused (default true; refused in production). */
  KAFKA_SSL_REJECT_UNAUTHORIZED: flag(true),
  KAFKA_SASL_MECHANISM: z.preprocess((v) => (typeof v === 'string' ? v.toLowerCase() : v), z.enum(KAFKA_SASL_MECHANISMS).optional()),
  KAFKA_SASL_USERNAME: z.string().optional(),
  /** The SASL password, or a file holding it (KAFKA_SASL_PASSWORD_FILE, e.g. a mounted Secret). */
  KAFKA_SASL_PASSWORD: z.string().optional(),
  KAFKA_SASL_PASSWORD_FILE: readableFile(false).optional(),
};

/** The parsed Kafka security settings; files are resolved when the client is created (libs/kafka). */
export type KafkaSecurityConfig = z.output<z.ZodObject<typeof kafkaSecurityEnv>>;

/** The Kafka security settings of a parsed configuration (the other variables left out). */
export function kafkaSecurityOf(config: KafkaSecurityConfig): KafkaSecurityConfig {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(kafkaSecurityEnv)) picked[key] = (config as Record<string, unknown>)[key];
  return picked as KafkaSecurityConfig;
}

const TRUE = new Set(['true', '1', 'yes']);
const SSL_DETAILS = [
  'KAFKA_SSL_CA_FILE',
  'KAFKA_SSL_CERT_FILE',
  'KAFKA_SSL_KEY_FILE',
  'KAFKA_SSL_KEY_PASSWORD',
  'KAFKA_SSL_KEY_PASSWORD_FILE',
  'KAFKA_SSL_REJECT_UNAUTHORIZED',
] as const;

/**
 * What the variables mean together (each one alone is checked by its schema): a SASL mechanism
 * needs a username and one password; credentials need a mechanism; TLS details need KAFKA_SSL=true;
 * a certificate needs its key. In production, PLAIN without TLS (the password in clear on the wire)
 * and KAFKA_SSL_REJECT_UNAUTHORIZED=false (any certificate accepted) are refused.
 */
export function kafkaSecurityProblems(env: Readonly<Record<string, string | undefined>>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add = (variable: string, message: string) => problems.push({ variable, message });
  const ssl = TRUE.has(env.KAFKA_SSL?.toLowerCase() ?? '');
  const mechanism = env.KAFKA_SASL_MECHANISM?.toLowerCase();
  const hasPassword = env.KAFKA_SASL_PASSWORD !== undefined;
  const hasPasswordFile = env.KAFKA_SASL_PASSWORD_FILE !== undefined;

  if (mechanism) {
    if (env.KAFKA_SASL_USERNAME === undefined) add('KAFKA_SASL_USERNAME', `KAFKA_SASL_USERNAME is required when KAFKA_SASL_MECHANISM is set`);
    if (!hasPassword && !hasPasswordFile) add('KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE is required when KAFKA_SASL_MECHANISM is set');
  } else {
    for (const name of ['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE']) {
      if (env[name] !== undefined) add(name, `${name} is set but KAFKA_SASL_MECHANISM is not (one of ${KAFKA_SASL_MECHANISMS.join(', ')})`);
    }
  }
  if (hasPassword && hasPasswordFile) add('KAFKA_SASL_PASSWORD_FILE', 'set KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both');

  if (!ssl) {
    for (const name of SSL_DETAILS) if (env[name] !== undefined) add(name, `${name} is set but KAFKA_SSL is not true`);
  } else {
    if (env.KAFKA_SSL_CERT_FILE !== undefined && env.KAFKA_SSL_KEY_FILE === undefined) add('KAFKA_SSL_KEY_FILE', 'KAFKA_SSL_KEY_FILE is required with KAFKA_SSL_CERT_FILE');
    if (env.KAFKA_SSL_KEY_FILE !== undefined && env.KAFKA_SSL_CERT_FILE === undefined) add('KAFKA_SSL_CERT_FILE', 'KAFKA_SSL_CERT_FILE is required with KAFKA_SSL_KEY_FILE');
    if (env.KAFKA_SSL_KEY_PASSWORD !== undefined && env.KAFKA_SSL_KEY_PASSWORD_FILE !== undefined) {
      add('KAFKA_SSL_KEY_PASSWORD_FILE', 'set KAFKA_SSL_KEY_PASSWORD or KAFKA_SSL_KEY_PASSWORD_FILE, not both');
    }
  }

  if (env.NODE_ENV === 'production') {
    if (mechanism === 'plain' && !ssl) add('KAFKA_SASL_MECHANISM', 'plain sends the password in clear: KAFKA_SSL=true is required with it when NODE_ENV=production');
    if (ssl && ['false', '0', 'no'].includes(env.KAFKA_SSL_REJECT_UNAUTHORIZED?.toLowerCase() ?? '')) {
      add('KAFKA_SSL_REJECT_UNAUTHORIZED', 'must not be false when NODE_ENV=production (set KAFKA_SSL_CA_FILE to trust a private CA)');
    }
  }
  return problems;
}
