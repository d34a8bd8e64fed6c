import type { ZodIssue, ZodType, ZodTypeDef } from 'zod';
import { ApiError, type FieldProblem } from './api-error';

function pointer(path: (string | number)[]): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

function problem(issue: ZodIssue, root: string): FieldProblem {
  // An unexpected property is named itself, not its parent object.
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  const field = root === 'body' ? pointer(path) || '(body)' : path.length ? String(path[0]) : root;
  const message = issue.code === 'unrecognized_keys' ? `unexpected field ${issue.keys.map((k) => `"${k}"`).join(', ')}` : issue.message;
  return { field, code: issue.code === 'custom' ? 'invalid' : issue.code, message };
}

/**
 * Validates a request body (fields named by JSON pointer) or query (fields named by parameter) and
 * throws one 400 listing every problem.
 */
export function parseInput<T>(schema: ZodType<T, ZodTypeDef, unknown>, value: unknown, where: 'body' | 'query' | 'params' = 'body'): T {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  throw ApiError.validation(result.error.issues.map((i) => problem(i, where)));
}
