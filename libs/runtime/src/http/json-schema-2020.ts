type Json = Record<string, unknown>;

/** Keywords whose value is one subschema. */
const SUBSCHEMA = ['additionalProperties', 'unevaluatedProperties', 'unevaluatedItems', 'not', 'if', 'then', 'else', 'contains', 'propertyNames', 'contentSchema'];
/** Keywords whose value is a list of subschemas. */
const SUBSCHEMA_LIST = ['allOf', 'anyOf', 'oneOf', 'prefixItems'];
/** Keywords whose value maps names to subschemas. */
const SUBSCHEMA_MAP = ['properties', 'patternProperties', 'dependentSchemas', '$defs'];

/**
 * Keywords a JSON Schema 2020-12 validator (and OpenAPI 3.1) knows. Anything else is dropped from a
 * published schema: the ledger's own validation keywords (`x-instant-range`) and OpenAPI 3.0's
 * `nullable` mean nothing to a generator or a client's validator.
 */
export const JSON_SCHEMA_2020_KEYWORDS = new Set([
  // core and applicators
  '$ref', '$defs', '$comment', '$anchor', '$dynamicRef', '$dynamicAnchor',
  ...SUBSCHEMA, ...SUBSCHEMA_LIST, ...SUBSCHEMA_MAP, 'items', 'dependentRequired',
  // validation
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength', 'pattern',
  'maxItems', 'minItems', 'uniqueItems', 'maxContains', 'minContains', 'maxProperties', 'minProperties', 'required',
  // format, content, annotations
  'format', 'contentEncoding', 'contentMediaType', 'title', 'description', 'default', 'deprecated', 'readOnly', 'writeOnly', 'examples',
  // OpenAPI 3.1 additions to the Schema Object
  'discriminator', 'xml', 'externalDocs', 'example',
]);

/** Draft-07 / OpenAPI 3.0 keywords that have no place in a 2020-12 schema (the document test looks for them). */
export const PRE_2020_KEYWORDS = ['nullable', 'definitions', 'additionalItems', 'dependencies', '$schema', '$id', 'x-instant-range'];

const withNull = (type: unknown): unknown => (Array.isArray(type) ? (type.includes('null') ? type : [...type, 'null']) : type === 'null' ? type : [type, 'null']);

/**
 * Rewrites one schema (draft-07 JSON Schema, OpenAPI 3.0 Schema Object or zod-to-json-schema output)
 * as JSON Schema 2020-12, the dialect of OpenAPI 3.1: `nullable` becomes a type list (or
 * `anyOf … null`), boolean `exclusiveMinimum`/`exclusiveMaximum` become numbers, `definitions`
 * becomes `$defs` (and `#/definitions/` references follow), an `items` list becomes `prefixItems`,
 * `format: ip` becomes ipv4 | ipv6; `$schema`, `$id` and unknown keywords are dropped.
 */
export function toJsonSchema2020(input: unknown): unknown {
  if (typeof input === 'boolean' || input === null || typeof input !== 'object' || Array.isArray(input)) return input;
  const s = input as Json;
  const out: Json = {};
  for (const [key, value] of Object.entries(s)) {
    if (key === 'definitions' || key === '$defs') out.$defs = { ...(out.$defs as Json | undefined), ...mapValues(value as Json) };
    else if (SUBSCHEMA_MAP.includes(key)) out[key] = mapValues(value as Json);
    else if (SUBSCHEMA_LIST.includes(key)) out[key] = (value as unknown[]).map(toJsonSchema2020);
    else if (SUBSCHEMA.includes(key)) out[key] = toJsonSchema2020(value);
    else if (key === 'items') {
      if (Array.isArray(value)) out.prefixItems = value.map(toJsonSchema2020);
      else out.items = toJsonSchema2020(value);
    } else if (key === 'additionalItems') {
      if (Array.isArray(s.items)) out.items = toJsonSchema2020(value);
    } else if (key === 'dependencies') {
      for (const [name, dep] of Object.entries(value as Json)) {
        if (Array.isArray(dep)) out.dependentRequired = { ...(out.dependentRequired as Json | undefined), [name]: dep };
        else out.dependentSchemas = { ...(out.dependentSchemas as Json | undefined), [name]: toJsonSchema2020(dep) };
      }
    } else if (key === '$ref' && typeof value === 'string') out.$ref = value.replace('#/definitions/', '#/$defs/');
    else if (key === 'exclusiveMinimum' || key === 'exclusiveMaximum') {
      const bound = key === 'exclusiveMinimum' ? 'minimum' : 'maximum';
      if (value === true && typeof s[bound] === 'number') out[key] = s[bound];
      else if (typeof value === 'number') out[key] = value;
    } else if (key === 'format' && value === 'ip') out.anyOf = [{ format: 'ipv4' }, { format: 'ipv6' }];
    else if (JSON_SCHEMA_2020_KEYWORDS.has(key)) out[key] = value;
  }
  // zod-to-json-schema writes an optional value outside an object as `anyOf: [{not: {}}, X]`: that is X.
  if (Array.isArray(out.anyOf) && (out.anyOf as unknown[]).some(isNever)) {
    const branches = (out.anyOf as unknown[]).filter((b) => !isNever(b));
    if (branches.length === 1 && typeof branches[0] === 'object') {
      delete out.anyOf;
      Object.assign(out, { ...(branches[0] as Json), ...out });
    } else out.anyOf = branches;
  }
  // A boolean exclusive bound replaced its inclusive one.
  if (s.exclusiveMinimum === true) delete out.minimum;
  if (s.exclusiveMaximum === true) delete out.maximum;
  if (s.nullable === true) {
    if (out.type !== undefined) out.type = withNull(out.type);
    else if (out.$ref !== undefined || out.allOf || out.oneOf || out.anyOf) return { anyOf: [out, { type: 'null' }] };
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
  }
  return out;
}

/** `{not: {}}`: the schema no value matches. */
const isNever = (s: unknown): boolean => !!s && typeof s === 'object' && Object.keys(s).length === 1 && JSON.stringify((s as Json).not) === '{}';

function mapValues(map: Json): Json {
  return Object.fromEntries(Object.entries(map ?? {}).map(([k, v]) => [k, toJsonSchema2020(v)]));
}

interface Operation {
  parameters?: { schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { content?: Record<string, { schema?: unknown }>; headers?: Record<string, { schema?: unknown }> }>;
}

/** Every schema of an OpenAPI document (components, parameters, bodies, responses, headers) as 2020-12, and `openapi: 3.1.0`. */
export function toOpenApi31<D extends { openapi: string; paths: object; components?: object }>(document: D): D {
  const components = document.components as { schemas?: Json } | undefined;
  if (components?.schemas) components.schemas = mapValues(components.schemas);
  const content = (c?: Record<string, { schema?: unknown }>) => Object.values(c ?? {}).forEach((m) => m.schema !== undefined && (m.schema = toJsonSchema2020(m.schema)));
  for (const item of Object.values(document.paths) as Record<string, Operation | unknown>[]) {
    for (const operation of Object.values(item) as Operation[]) {
      if (!operation || typeof operation !== 'object') continue;
      for (const p of operation.parameters ?? []) if (p.schema !== undefined) p.schema = toJsonSchema2020(p.schema);
      content(operation.requestBody?.content);
      for (const r of Object.values(operation.responses ?? {})) {
        content(r.content);
        for (const h of Object.values(r.headers ?? {})) if (h.schema !== undefined) h.schema = toJsonSchema2020(h.schema);
      }
    }
  }
  document.openapi = '3.1.0';
  return document;
}
