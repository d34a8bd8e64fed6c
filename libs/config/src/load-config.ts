import { z } from 'zod';

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

/**
 * Parses and validates the environment once, at boot. Every problem is reported at once,
 * naming the variable; values are never echoed (they may be secrets).
 */
export function loadConfig<S extends z.ZodTypeAny>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.output<S> {
  const normalized: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(env)) {
    normalized[key] = value === '' ? undefined : value;
  }
  const result = schema.safeParse(normalized);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.length ? issue.path.join('.') : '(environment)',
    message: issue.message,
  }));
  throw new ConfigValidationError(service, problems);
}

/** Keys of an environment schema: what a deployment must know to configure the service. */
export function envVariableNames(schema: z.ZodTypeAny): string[] {
  let s: z.ZodTypeAny = schema;
  while (s instanceof z.ZodEffects) s = s.innerType();
  if (s instanceof z.ZodObject) return Object.keys(s.shape).sort();
  throw new Error('envVariableNames expects an object schema');
}
