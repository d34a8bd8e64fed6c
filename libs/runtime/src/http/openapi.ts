import { applyDecorators, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiBearerAuth, ApiBody, ApiParam, ApiQuery, ApiResponse, ApiSecurity, DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { ZodObject, ZodRawShape, ZodTypeAny } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { toJsonSchema2020, toOpenApi31 } from './json-schema-2020';
import { addErrorResponses } from './openapi-errors';

type JsonSchema = Record<string, unknown>;

/** The JSON schema (2020-12, the dialect of OpenAPI 3.1) of a zod schema, inline (no $refs), for the OpenAPI document. */
export function jsonSchemaOf(schema: ZodTypeAny): JsonSchema {
  const convert = zodToJsonSchema as unknown as (s: unknown, o: { target: string; $refStrategy: string }) => JsonSchema;
  return toJsonSchema2020(convert(schema, { target: 'jsonSchema2019-09', $refStrategy: 'none' })) as JsonSchema;
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

/** One answer of an endpoint: its body schema (`null`: no body) in one media type, or several media types. */
export interface OutputSpec {
  schema?: ResponseSchema | null;
  description: string;
  /** The media type of `schema` (default application/json). */
  contentType?: string;
  /** Several media types, each with its schema (downloads in a chosen format). */
  content?: Record<string, ResponseSchema>;
}

const asJsonSchema = (schema: ResponseSchema): JsonSchema => (isZod(schema) ? jsonSchemaOf(schema) : (toJsonSchema2020(schema) as JsonSchema));

/**
 * Documents an endpoint's answers: status → body schema (or `null` for an empty body, e.g. 204),
 * with a description. The common error answers (400, 401, 403, 404, 429, 500, 503 with the `Error`
 * shape) are added to every operation by setupOpenApi; an endpoint declares only its specific errors,
 * with `schema: null` (409 `{ schema: null, description }` gets the `Error` body).
 */
export function ApiOutput(responses: Record<number, OutputSpec>): MethodDecorator {
  const decorators = Object.entries(responses).map(([status, r]) => {
    const content = r.content ?? (r.schema ? { [r.contentType ?? 'application/json']: r.schema } : undefined);
    if (!content) return ApiResponse({ status: Number(status), description: r.description });
    return ApiResponse({
      status: Number(status),
      description: r.description,
      content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema: asJsonSchema(schema) }])),
    });
  });
  return applyDecorators(...decorators) as MethodDecorator;
}

/** Every endpoint takes `Authorization: Bearer <key>` (API key or root key) or, alternatively, `X-API-Key: <key>`. */
export const ApiKeyAuth = (): ClassDecorator & MethodDecorator => applyDecorators(ApiBearerAuth('apiKey'), ApiSecurity('apiKeyHeader')) as ClassDecorator & MethodDecorator;

export interface OpenApiInfo {
  title: string;
  description: string;
  version: string;
  /** The service answers every 5xx as 503 (no 500 in its document). */
  serverErrorsAsUnavailable?: boolean;
}

/**
 * The OpenAPI 3.1 document of an application's controllers: every schema as JSON Schema 2020-12,
 * the error answers on every operation, the two ways to pass a key.
 */
export function buildOpenApiDocument(app: INestApplication, info: OpenApiInfo): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle(info.title)
    .setDescription(info.description)
    .setVersion(info.version)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key (alk_…) with the scope the endpoint names, or LEDGER_ROOT_KEY for /v1/admin' }, 'apiKey')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'The same key as X-API-Key: <key>, instead of Authorization: Bearer (both with different keys: 400 conflicting_api_keys)' }, 'apiKeyHeader')
    .addSecurityRequirements('apiKey')
    .addSecurityRequirements('apiKeyHeader')
    .build();
  const document = toOpenApi31(SwaggerModule.createDocument(app, config));
  addErrorResponses(document, { serverErrorsAsUnavailable: info.serverErrorsAsUnavailable });
  return document;
}

/**
 * The document of an application module without running it: Nest's preview mode resolves the
 * module graph and the controllers' metadata but instantiates no provider (no database, Kafka or
 * Redis connection). Used by the build to write openapi/*.json.
 */
export async function generateOpenApiDocument(module: unknown, info: Omit<OpenApiInfo, 'version'>): Promise<OpenAPIObject> {
  const app = await NestFactory.create(module as never, { preview: true, abortOnError: false, logger: false });
  try {
    // The version bootstrapService serves (`openApi` of a ServiceBootstrap).
    return buildOpenApiDocument(app, { ...info, version: '1' });
  } finally {
    await app.close();
  }
}

/** Serves the OpenAPI document at /docs (UI), /docs-json and /docs-yaml. */
export function setupOpenApi(app: INestApplication, info: OpenApiInfo): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app, info), { jsonDocumentUrl: 'docs-json', yamlDocumentUrl: 'docs-yaml' });
}
