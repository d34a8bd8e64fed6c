type Json = Record<string, unknown>;

/** The `Error` component: the one error shape of every 4xx/5xx answer (api-error.ts, docs/api-errors.md). */
export const ERROR_SCHEMA: Json = {
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: {
    error: {
      type: 'object',
      required: ['status', 'code', 'message'],
      additionalProperties: false,
      properties: {
        status: { type: 'integer', minimum: 400, maximum: 599, description: 'The HTTP status of the answer' },
        code: { type: 'string', pattern: '^[a-z][a-z0-9_]*$', description: 'Stable, machine-readable (docs/api-errors.md)' },
        message: { type: 'string', description: 'For people; may change' },
        field: { type: 'string', description: 'JSON pointer into the body, or the name of a query/path parameter or header' },
        errors: {
          type: 'array',
          minItems: 1,
          items: {
            type: 'object',
            required: ['field', 'code', 'message'],
            additionalProperties: false,
            properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
          },
        },
        horizon: { type: 'string', format: 'date-time', description: '409 before_retention_horizon: the tenant\'s retention horizon' },
        archives: {
          type: 'array',
          description: '409 before_retention_horizon: where the purged events from `from` on are archived',
          items: {
            type: 'object',
            required: ['object', 'manifest', 'location'],
            additionalProperties: false,
            properties: { object: { type: 'string' }, manifest: { type: 'string' }, location: { type: 'string' } },
          },
        },
      },
    },
  },
};

export const ERROR_REF = { $ref: '#/components/schemas/Error' };

const RETRY_AFTER = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };

/** The error answers every operation may give, and when they apply. */
const COMMON_ERRORS: { status: string; description: string; applies: (op: OperationShape, path: string, documentSecurity?: unknown[]) => boolean; retryAfter?: boolean }[] = [
  { status: '400', description: 'Invalid input: validation_failed (each invalid field in `errors`), invalid_cursor, malformed_url, conflicting_api_keys', applies: () => true },
  { status: '401', description: 'No key, or an unknown or revoked key (missing_api_key, invalid_api_key)', applies: (op, _path, security) => secured(op, security) },
  { status: '403', description: 'The key lacks the scope the endpoint needs (insufficient_scope)', applies: (op, _path, security) => secured(op, security) },
  { status: '404', description: 'No such resource in the caller\'s tenant', applies: (_op, path) => path.includes('{') },
  { status: '413', description: 'The decoded body exceeds the limit (payload_too_large)', applies: (op) => !!op.requestBody },
  { status: '415', description: 'The body is not JSON, or its encoding or charset is not supported', applies: (op) => !!op.requestBody },
  { status: '429', description: 'rate_limited: the key is over its rate limit, or too many failed authentications from this address', applies: (op, _path, security) => secured(op, security), retryAfter: true },
  { status: '500', description: 'internal_error: a bug, logged; never shown', applies: () => true },
  { status: '503', description: 'A dependency (database, Kafka, Redis) is unavailable; retry later', applies: () => true, retryAfter: true },
];

interface OperationShape {
  security?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: unknown }>; headers?: Json }>;
}

function secured(op: OperationShape, documentSecurity: unknown[] | undefined): boolean {
  const security = op.security ?? documentSecurity ?? [];
  return security.length > 0 && !security.some((s) => s && typeof s === 'object' && Object.keys(s).length === 0);
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

/**
 * Gives every operation its error answers with the `Error` schema: the common ones (400, 401 and 403
 * when the operation needs a key, 404 where the path has parameters, 413/415 where it takes a body,
 * 429, 500 unless the service answers every 5xx as 503, 503), and the `Error` body on any other 4xx/5xx an endpoint declared without a body
 * (409, 408, …). Controllers declare only their successful answers and their specific errors.
 */
export function addErrorResponses(document: { paths: object; security?: unknown[]; components?: object }, opts: { serverErrorsAsUnavailable?: boolean } = {}): void {
  const components = (document.components ?? {}) as { schemas?: Json };
  components.schemas = { ...(components.schemas ?? {}), Error: ERROR_SCHEMA };
  document.components = components;
  for (const [path, item] of Object.entries(document.paths) as [string, Record<string, OperationShape>][]) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const responses = (op.responses ??= {});
      for (const e of COMMON_ERRORS) {
        if (opts.serverErrorsAsUnavailable && e.status === '500') continue;
        if (!responses[e.status] && e.applies(op, path, document.security)) responses[e.status] = { description: e.description };
        if (e.retryAfter && responses[e.status]) responses[e.status]!.headers = { ...RETRY_AFTER, ...responses[e.status]!.headers };
      }
      for (const [status, response] of Object.entries(responses)) {
        if (!/^[45]/.test(status)) continue;
        const json = response.content?.['application/json'];
        if (!response.content || (json && (!json.schema || Object.keys(json.schema).length === 0))) response.content = { 'application/json': { schema: ERROR_REF } };
      }
    }
  }
}
