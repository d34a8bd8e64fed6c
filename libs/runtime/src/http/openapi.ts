import { applyDecorators, type INestApplication } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiParam, ApiQuery, ApiResponse, ApiSecurity, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { ZodObject, ZodRawShape, ZodTypeAny } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';

type JsonSchema = Record<string, unknown>;

/** The JSON schema of a zod schema, inline (no $refs), for the OpenAPI document. */
export function jsonSchemaOf(schema: ZodTypeAny): JsonSchema {
  const convert = zodToJsonSchema as unknown as (s: unknown, o: { target: string; $refStrategy: string }) => JsonSchema;
  const { $schema: _ignored, ...json } = convert(schema, { target: 'openApi3', $refStrategy: 'none' });
  return json;
}

/** Unwraps effects (refine/transform) to reach an object's shape. */
function shapeOf(schema: ZodTypeAny): ZodRawShape | undefined {
  let s: ZodTypeAny = schema;
  for (let i = 0; i < 5 && s; i++) {
    const def = s._def as { typeName?: string; schema?: ZodTypeAny; innerType?: ZodTypeAny };
    if (def.typeName === 'ZodObject') return (s as ZodObject<ZodRawShape>).shape;
    s = (def.schema ?? def.innerType) as ZodTypeAny;
  }
  return undefined;
}

/**
 * Documents an endpoint's inputs from the same zod schemas `parseInput` validates them with, so the
 * OpenAPI document cannot drift from the validation.
 */
export function ApiInput(inputs: { body?: ZodTypeAny; query?: ZodTypeAny; params?: ZodTypeAny; bodyDescription?: string }): MethodDecorator {
  const decorators: MethodDecorator[] = [];
  if (inputs.body) decorators.push(ApiBody({ schema: jsonSchemaOf(inputs.body), description: inputs.bodyDescription }));
  for (const [where, schema] of [['query', inputs.query], ['params', inputs.params]] as const) {
    const shape = schema && shapeOf(schema);
    if (!shape) continue;
    for (const [name, field] of Object.entries(shape)) {
      const json = jsonSchemaOf(field);
      const required = !field.isOptional();
      const description = typeof json.description === 'string' ? json.description : undefined;
      decorators.push(where === 'query' ? ApiQuery({ name, required, schema: json, description }) : ApiParam({ name, required: true, schema: json, description }));
    }
  }
  return applyDecorators(...decorators) as MethodDecorator;
}

/** A response body's schema: a zod schema (converted as for inputs) or a JSON schema object. */
export type ResponseSchema = ZodTypeAny | JsonSchema;

function isZod(schema: ResponseSchema): schema is ZodTypeAny {
  return typeof (schema as { safeParse?: unknown }).safeParse === 'function';
}

/**
 * Documents an endpoint's successful answers: status → body schema (or `null` for an empty body,
 * e.g. 204), with a description. The error answers (4xx/5xx, the `Error` shape) are added to every
 * operation by setupOpenApi, so they are not repeated here.
 */
export function ApiOutput(responses: Record<number, { schema: ResponseSchema | null; description: string; contentType?: string }>): MethodDecorator {
  const decorators = Object.entries(responses).map(([status, r]) => {
    if (r.schema === null) return ApiResponse({ status: Number(status), description: r.description });
    const schema = isZod(r.schema) ? jsonSchemaOf(r.schema) : r.schema;
    if (r.contentType) return ApiResponse({ status: Number(status), description: r.description, content: { [r.contentType]: { schema } } });
    return ApiResponse({ status: Number(status), description: r.description, schema });
  });
  return applyDecorators(...decorators) as MethodDecorator;
}

/** Every endpoint takes `Authorization: Bearer <key>` (API key or root key) or, alternatively, `X-API-Key: <key>`. */
export const ApiKeyAuth = (): ClassDecorator & MethodDecorator => applyDecorators(ApiBearerAuth('apiKey'), ApiSecurity('apiKeyHeader')) as ClassDecorator & MethodDecorator;

/** Serves the OpenAPI document at /docs (UI) and /docs-json. */
export function setupOpenApi(app: INestApplication, info: { title: string; description: string; version: string }): void {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (alk_…) with the scope the endpoint names, or LEDGER_ROOT_KEY for /v1/admin' }, 'apiKey')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same key as X-API-Key: <key>, instead of Authorization: Bearer (both with different keys: 400 conflicting_api_keys)' }, 'apiKeyHeader')
    .addSecurityRequirements('apiKey')
    .addSecurityRequirements('apiKeyHeader')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  document.components = {
    ...document.components,
    schemas: {
      ...(document.components?.schemas ?? {}),
      Error: {
        type: 'object',
        required: ['error'],
        properties: {
          error: {
            type: 'object',
            required: ['status', 'code', 'message'],
            properties: {
              status: { type: 'integer' },
              code: { type: 'string' },
              message: { type: 'string' },
              field: { type: 'string', description: 'JSON pointer into the body, or the name of a query/path parameter or header' },
              errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } } } },
            },
          },
        },
      },
    },
  };
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
