import Ajv2020, { type ErrorObject, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';

type JsonObject = Record<string, unknown>;

/** An OpenAPI 3.1 document as served at /docs-json or written to openapi/*.json. */
export interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, JsonObject>>;
  components?: { schemas?: Record<string, unknown> } & JsonObject;
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/**
 * Media types whose body is a sequence of JSON values, one per line or per event: the declared schema
 * describes one item, and the checked body is the array of parsed items.
 */
export const LINE_MEDIA_TYPES = new Set(['application/x-ndjson', 'application/jsonl', 'text/event-stream']);

const validators = new WeakMap<OpenApiDocument, Map<string, ValidateFunction>>();

function ajvFor(): Ajv2020 {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  return ajv;
}

/** The path template of the document that a concrete path (or the template itself) matches. */
export function matchPathTemplate(document: OpenApiDocument, pathOrUrl: string): string | undefined {
  const path = pathOrUrl.startsWith('http') ? new URL(pathOrUrl).pathname : pathOrUrl.split('?')[0]!;
  if (document.paths[path]) return path;
  const candidates = Object.keys(document.paths).filter((template) => {
    const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
    return new RegExp(`^${pattern}$`).test(path);
  });
  // The most literal template wins (/v1/records/stats before /v1/records/{id}).
  return candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 20)
    .map((e) => `  ${e.instancePath || '(body)'} ${e.message ?? e.keyword}${Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');
}

function validatorFor(document: OpenApiDocument, key: string, schema: JsonObject): ValidateFunction {
  let cache = validators.get(document);
  if (!cache) validators.set(document, (cache = new Map()));
  let validate = cache.get(key);
  if (!validate) {
    // $refs in the document point at #/components/…: the schema is compiled with the components next to it.
    validate = ajvFor().compile({ ...schema, components: document.components ?? {} });
    cache.set(key, validate);
  }
  return validate;
}

/**
 * Fails (throws) unless `body` matches the schema the OpenAPI document declares for this method, path
 * and status (or the operation's `default` response). `pathTemplateOrUrl` may be a concrete URL
 * (`http://127.0.0.1:3000/v1/records/abc?x=1`) or the template (`/v1/records/{id}`). For a line media
 * type (NDJSON, SSE) pass the array of parsed items: each is checked against the declared item schema.
 */
export function expectResponseMatchesOpenApi(
  document: OpenApiDocument,
  method: string,
  pathTemplateOrUrl: string,
  status: number,
  body: unknown,
  contentType = 'application/json',
): void {
  const verb = method.toLowerCase();
  if (!METHODS.has(verb)) throw new Error(`OpenAPI check: unknown method ${method}`);
  const template = matchPathTemplate(document, pathTemplateOrUrl);
  const where = `${method.toUpperCase()} ${template ?? pathTemplateOrUrl} → ${status}`;
  if (!template) throw new Error(`OpenAPI check: no path of the document matches ${pathTemplateOrUrl}`);
  const operation = document.paths[template]![verb] as { responses?: Record<string, JsonObject> } | undefined;
  if (!operation) throw new Error(`OpenAPI check: ${where}: the document has no ${method.toUpperCase()} operation on ${template}`);
  const responses = operation.responses ?? {};
  const response = responses[String(status)] ?? responses[`${String(status)[0]}XX`] ?? responses.default;
  if (!response) throw new Error(`OpenAPI check: ${where}: status not declared (declared: ${Object.keys(responses).join(', ')})`);
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const content = response.content as Record<string, { schema?: JsonObject }> | undefined;
  if (!content) {
    if (body === undefined || body === null || body === '') return;
    throw new Error(`OpenAPI check: ${where}: declared without a body, but the response has one: ${JSON.stringify(body).slice(0, 300)}`);
  }
  const media = content[mediaType];
  if (!media) throw new Error(`OpenAPI check: ${where}: media type ${mediaType} not declared (declared: ${Object.keys(content).join(', ')})`);
  if (!media.schema) throw new Error(`OpenAPI check: ${where} (${mediaType}): declared without a schema`);
  const validate = validatorFor(document, `${verb} ${template} ${status} ${mediaType}`, media.schema);
  const items = LINE_MEDIA_TYPES.has(mediaType) ? body : [body];
  if (!Array.isArray(items)) throw new Error(`OpenAPI check: ${where} (${mediaType}): pass the parsed items of a line media type as an array`);
  items.forEach((item, index) => {
    if (validate(item)) return;
    const which = LINE_MEDIA_TYPES.has(mediaType) ? ` item ${index}` : '';
    throw new Error(
      `OpenAPI check: ${where} (${mediaType})${which} does not match the declared schema:\n${describe(validate.errors)}\nbody: ${JSON.stringify(item).slice(0, 500)}`,
    );
  });
}
