import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { PRE_2020_KEYWORDS } from '@agent-ledger/runtime';
import { WORKSPACE_ROOT } from '@agent-ledger/testing';
import { documentText, OPENAPI_OUTPUTS } from '../../tools/openapi/generate-openapi';

type Json = Record<string, unknown>;
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Json }> }>;
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
/** Health probes answer 503 with their readiness report (what is down), not with an error. */
const OWN_503 = new Set(['GET /health/live', 'GET /health/ready']);
const VALIDATE_API = join(WORKSPACE_ROOT, 'node_modules', '.bin', 'validate-api');

/** Runs the OpenAPI 3.1 validator (@seriousme/openapi-schema-validator) on a file: its verdict and errors. */
function validateFile(file: string): { valid: boolean; errors?: unknown } {
  try {
    return JSON.parse(execFileSync(VALIDATE_API, [file], { encoding: 'utf8' })) as { valid: boolean };
  } catch (err) {
    const out = (err as { stdout?: string }).stdout ?? '';
    return out.trim().startsWith('{') ? (JSON.parse(out) as { valid: boolean }) : { valid: false, errors: String(err) };
  }
}

function operationsOf(document: Json): [string, Operation][] {
  return Object.entries(document.paths as Record<string, Record<string, Operation>>).flatMap(([path, item]) =>
    METHODS.filter((m) => item[m]).map((m) => [`${m.toUpperCase()} ${path}`, item[m]!] as [string, Operation]),
  );
}

/** Every schema of the document (components, parameters, bodies, responses), with where it is. */
function schemasOf(document: Json): [string, Json][] {
  const out: [string, Json][] = Object.entries(((document.components as Json)?.schemas ?? {}) as Record<string, Json>).map(([n, s]) => [`components/${n}`, s]);
  for (const [name, op] of operationsOf(document)) {
    const o = op as unknown as { parameters?: { name: string; schema?: Json }[]; requestBody?: { content: Record<string, { schema?: Json }> } };
    for (const p of o.parameters ?? []) if (p.schema) out.push([`${name} parameter ${p.name}`, p.schema]);
    for (const [type, m] of Object.entries(o.requestBody?.content ?? {})) if (m.schema) out.push([`${name} body ${type}`, m.schema]);
    for (const [status, r] of Object.entries(op.responses)) for (const [type, m] of Object.entries(r.content ?? {})) if (m.schema) out.push([`${name} ${status} ${type}`, m.schema]);
  }
  return out;
}

/** Keywords (not property names) anywhere in a schema. */
function keywordsIn(schema: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) schema.forEach((s) => keywordsIn(s, found));
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      found.add(key);
      if (key === 'properties' || key === '$defs' || key === 'patternProperties' || key === 'dependentSchemas') Object.values(value as Json).forEach((s) => keywordsIn(s, found));
      else if (key !== 'enum' && key !== 'const' && key !== 'default' && key !== 'examples' && key !== 'example' && key !== 'required') keywordsIn(value, found);
    }
  }
  return found;
}

/** A strict JSON Schema 2020-12 compiler: an unknown keyword or format is an error. */
function strictAjv(document: Json): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, strictTypes: false, strictTuples: false, strictRequired: false, allowMatchingProperties: true });
  addFormats(ajv);
  ajv.addVocabulary(['example', 'discriminator', 'xml', 'externalDocs']);
  ajv.addSchema({ $defs: (document.components as Json | undefined)?.schemas ?? {} }, 'urn:agent-ledger:openapi');
  return ajv;
}

describe('OpenAPI documents', () => {
  const built = new Map<string, Json>();

  beforeAll(async () => {
    for (const out of OPENAPI_OUTPUTS) built.set(out.document, JSON.parse(JSON.stringify(await out.build())) as Json);
  }, 60_000);

  it.each(OPENAPI_OUTPUTS.map((o) => o.document))('should equal what the controllers generate when %s is on disk', (file) => {
    const onDisk = readFileSync(join(WORKSPACE_ROOT, file), 'utf8');
    expect(onDisk).toBe(documentText(built.get(file)));
  });

  it.each(OPENAPI_OUTPUTS.map((o) => o.document))('should be a valid OpenAPI 3.1 document when %s is validated', (file) => {
    expect(built.get(file)!.openapi).toBe('3.1.0');
    expect(validateFile(join(WORKSPACE_ROOT, file))).toEqual({ valid: true });
  });

  it('should report an invalid document when the validator is given one', () => {
    const broken = { ...built.get('openapi/ingest-api.json')!, paths: { '/x': { get: { responses: { '200': { content: {} } } } } } };
    const file = join(mkdtempSync(join(tmpdir(), 'openapi-')), 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    expect(validateFile(file).valid).toBe(false);
  });

  it.each(OPENAPI_OUTPUTS.map((o) => o.document))('should declare a successful answer with a body schema on every operation when %s is read', (file) => {
    const missing = operationsOf(built.get(file)!).filter(([, op]) => {
      const ok = Object.entries(op.responses).filter(([s]) => /^2/.test(s));
      return !ok.length || ok.some(([s, r]) => s !== '204' && !Object.values(r.content ?? {}).some((m) => m.schema && Object.keys(m.schema).length));
    });
    expect(missing.map(([name]) => name)).toEqual([]);
  });

  // ingest-api answers every 5xx as 503 with Retry-After (a retry with the same eventIds is always safe).
  const SERVER_ERRORS: Record<string, string[]> = { 'openapi/ingest-api.json': ['503'], 'openapi/audit-api.json': ['500', '503'] };

  it.each(OPENAPI_OUTPUTS.map((o) => o.document))('should answer every 4xx and 5xx with the Error schema when %s is read', (file) => {
    const wrong: string[] = [];
    for (const [name, op] of operationsOf(built.get(file)!)) {
      for (const status of ['400', ...SERVER_ERRORS[file]]) if (!op.responses[status]) wrong.push(`${name}: no ${status}`);
      if (!SERVER_ERRORS[file].includes('500') && op.responses['500']) wrong.push(`${name}: 500 declared, but the service answers every 5xx as 503`);
      for (const [status, r] of Object.entries(op.responses)) {
        if (/^[45]/.test(status) && !(status === '503' && OWN_503.has(name)) && r.content?.['application/json']?.schema?.$ref !== '#/components/schemas/Error') wrong.push(`${name} ${status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it.each(OPENAPI_OUTPUTS.map((o) => o.document))('should hold only JSON Schema 2020-12 keywords and known formats when %s is compiled strictly', (file) => {
    const document = built.get(file)!;
    const ajv = strictAjv(document);
    const problems: string[] = [];
    for (const [where, schema] of schemasOf(document)) {
      const old = PRE_2020_KEYWORDS.filter((k) => keywordsIn(schema).has(k));
      if (old.length) problems.push(`${where}: ${old.join(', ')}`);
      try {
        ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\/schemas\//g, '"urn:agent-ledger:openapi#/$defs/')) as Json);
      } catch (err) {
        problems.push(`${where}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('should refuse an unknown keyword or a draft-04 bound when the strict compiler meets one', () => {
    expect(() => strictAjv({ components: {} }).compile({ type: 'string', 'x-instant-range': ['1970-01-01T00:00:00Z'] })).toThrow(/unknown keyword/);
    expect(() => strictAjv({ components: {} }).compile({ type: 'number', minimum: 0, exclusiveMinimum: true })).toThrow(/exclusiveMinimum/);
    expect(PRE_2020_KEYWORDS.filter((k) => keywordsIn({ type: 'object', properties: { a: { type: 'string', nullable: true } } }).has(k))).toEqual(['nullable']);
  });
});
