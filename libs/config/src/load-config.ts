import { z } from 'zod';
import { refuseDevelopmentSecrets } from './development-secrets';
import { kafkaSecurityProblems } from './kafka-env';

/** Raised when the environment does not satisfy a service's configuration schema. */
export class ConfigValidationError extends Error {
  constructor(
    readonly service: string,
    readonly problems: ReadonlyArray<{ variable: string; message: string }>,
  ) {
    super(
      `${service}: invalid configuration\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigValidationError';
  }
}

export interface LoadConfigOptions {
  /** Variables that must be set when NODE_ENV=production (the service's keys). */
  requiredInProduction?: readonly string[];
}

/**
 * Parses and validates the environment once, at boot. Every problem is reported at once,
 * naming the variable; values are never echoed (they may be secrets). With NODE_ENV=production,
 * published development secrets and missing required keys are problems too
 * ({@link refuseDevelopmentSecrets}). A schema with the Kafka security variables also gets their
 * combined checks ({@link kafkaSecurityProblems}).
 */
export function loadConfig<S extends z.ZodTypeAny>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
  options: LoadConfigOptions = {},
): z.output<S> {
  const normalized: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    normalized[key] = value === '' ? undefined : value;
  }
  const problems =
    normalized.NODE_ENV === 'production' ? refuseDevelopmentSecrets(normalized, envVariableNames(schema), options.requiredInProduction) : [];
  // The Kafka security variables are checked together wherever a schema reads them (every service, ensure-topics).
  if (readsKafkaSecurity(schema)) problems.push(...kafkaSecurityProblems(normalized));
  const result = schema.safeParse(normalized);
  if (result.success && !problems.length) return result.data;
  for (const issue of result.success ? [] : result.error.issues) {
    const variable = issue.path.length ? issue.path.join('.') : '(environment)';
    if (!problems.some((p) => p.variable === variable && p.message === issue.message)) problems.push({ variable, message: issue.message });
  }
  throw new ConfigValidationError(service, problems);
}

/** Keys of an environment schema: what a deployment must know to configure the service. */
export function envVariableNames(schema: z.ZodTypeAny): string[] {
  let s: z.ZodTypeAny = schema;
  while (s instanceof z.ZodEffects) s = s.innerType();
  if (s instanceof z.ZodObject) return Object.keys(s.shape).sort();
  throw new Error('envVariableNames expects an object schema');
}

function readsKafkaSecurity(schema: z.ZodTypeAny): boolean {
  try {
    return envVariableNames(schema).includes('KAFKA_SSL');
  } catch {
    return false;
  }
}
