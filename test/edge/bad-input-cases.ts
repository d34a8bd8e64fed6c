import { createHash, randomUUID } from 'node:crypto';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { TestTenant } from '@agent-ledger/testing';
import type { RawRequest } from './raw-http';

type Service = 'ingest-api' | 'audit-api';
type Schema = { properties?: Record<string, { type?: string | string[] }>; oneOf?: Schema[]; pattern?: string };

/** An endpoint as its service's OpenAPI document (/docs-json) describes it. */
export interface Endpoint {
  service: Service;
  method: string;
  path: string;
  pathParams: { name: string; uuid: boolean }[];
  query: string[];
  /** The query parameters as declared: whether required, and the pattern of a non-free-form one. */
  queryParams: { name: string; required: boolean; pattern?: string }[];
  bodyProps?: { name: string; type?: string }[];
}

/** One request and, where the class of input fixes it, the answer it must get. */
export interface Case {
  service: Service;
  endpoint: string;
  what: string;
  req?: RawRequest;
  raw?: string;
  expect?: { status?: number[]; code?: string; field?: string };
}

export interface Keys {
  root: string;
  a: TestTenant;
  b: TestTenant;
  /** A real next-page cursor of tenant B per list path (other-tenant cursors). */
  otherTenantCursors: Record<string, string>;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: { name: string; in: string; required?: boolean; schema?: Schema }[]; requestBody?: { content?: Record<string, { schema?: Schema }> } }>>;
}

export function endpointsOf(service: Service, doc: OpenApiDoc): Endpoint[] {
  const out: Endpoint[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const params = op.parameters ?? [];
      const body = op.requestBody?.content?.['application/json']?.schema;
      const shape = body?.properties ? body : body?.oneOf?.find((s) => s.properties);
      out.push({
        service,
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => ({ name: p.name, uuid: /\[0-9a-f\]\{8\}/i.test(p.schema?.pattern ?? '') || /Id$|^id$/.test(p.name) && p.name !== 'actionId' && p.name !== 'sessionId' && p.name !== 'subjectId' })),
        query: params.filter((p) => p.in === 'query').map((p) => p.name),
        queryParams: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, required: !!p.required, pattern: p.schema?.pattern })),
        bodyProps: body ? Object.entries(shape?.properties ?? {}).map(([name, s]) => ({ name, type: Array.isArray(s.type) ? s.type[0] : s.type })) : undefined,
      });
    }
  }
  return out;
}

const isPublic = (e: Endpoint) => /^\/(health|metrics|docs)/.test(e.path);
const keyOf = (e: Endpoint, k: Keys) => (e.service === 'ingest-api' ? k.a.apiKeys.ingest : e.path.startsWith('/v1/admin') ? k.root : k.a.apiKeys.admin);
const enc = encodeURIComponent;
const json = { 'content-type': 'application/json' };

/** The path with every parameter filled with a well-formed value, except `bad` for `target`. */
function pathOf(e: Endpoint, target?: string, bad?: string): string {
  return e.path.replace(/\{(\w+)\}/g, (_m, name: string) => (name === target ? bad! : e.pathParams.find((p) => p.name === name)?.uuid ? randomUUID() : `edge-${name}`));
}

const deep = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const fingerprint = (prefix: string, tenantId: string) => createHash('sha256').update(`${prefix}|${tenantId}`).digest('base64url').slice(0, 12);
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Cursors a client could forge: garbage, and the API's own format with the tenant's fingerprint but impossible positions. */
function forgedCursors(tenantId: string): [string, string][] {
  const t = fingerprint('cursor', tenantId);
  const out: [string, string][] = [['garbage', 'not-a-cursor!!'], ['base64 of text', b64('hello')], ['JSON array', b64([1, 2])], ['null', b64('null')]];
  const positions: unknown[][] = [['99999999999999999999'], ['-1'], [1.5], [null], [{}], ['2024-02-30T00:00:00Z', randomUUID()], ['Tue', randomUUID()], ['2024-01-01T00:00:00Z', '-'.repeat(36)], ['2024-01-01T00:00:00Z'], ['0000-01-01T00:00:00Z', randomUUID()], ['2024-01-01T00:00:00Z', 'x\u0000']];
  for (const kind of ['actions', 'events', 'escalations', 'dead-letters']) for (const p of positions) out.push([`forged ${kind} ${JSON.stringify(p)}`, b64({ k: kind, t, p })]);
  out.push(['forged deliveries', b64({ t: fingerprint('deliveries-cursor', tenantId), c: 'Tue', i: randomUUID() })]);
  out.push(['forged deliveries date', b64({ t: fingerprint('deliveries-cursor', tenantId), c: '2024-02-30T00:00:00Z', i: randomUUID() })]);
  return out;
}

const BAD_TEXT: [string, string, boolean][] = [
  // [what, encoded value, must be refused with 400 naming the field]
  ['%00', '%00', true],
  ['NUL inside', 'a%00b', true],
  ['encoded lone surrogate (invalid UTF-8)', '%ED%A0%80', false],
  ['truncated UTF-8', '%E0%A4%A', false],
  ['SQL injection', enc("' OR 1=1; DROP TABLE audit_events;--"), false],
  ['CSV injection', enc('=HYPERLINK("http://evil.example","x")'), false],
  ['path traversal', enc('../../../../etc/passwd'), false],
  ['5,000 characters', 'x'.repeat(5_000), false],
  ['unicode edge cases', enc('\uFEFF\u202E𝕏\u0301👩‍👩‍👧\uFFFF'), false],
];
const BAD_DATES: [string, boolean][] = [['2024-02-30', true], ['0000-01-01', true], ['2024-13-01', true], ['2024-01-01T24:00:00Z', true], ['2024-01-01T00:00:00+99:00', true], ['+275760-09-13T00:00:00Z', true], ['1', true], ['yesterday', true], ['2024-02-29T23:59:60Z', true]];
const BAD_LIMITS = ['-1', '0', '1.5', 'abc', '1e10', '99999999999999999999', '0x10000'];

function authCases(e: Endpoint, k: Keys, label: string): Case[] {
  if (isPublic(e)) return [];
  const wrongScope = e.service === 'ingest-api' ? k.a.apiKeys.read : e.path.startsWith('/v1/admin') ? k.a.apiKeys.admin : k.a.apiKeys.ingest;
  const c = (what: string, authorization: string | undefined, status: number[]): Case => ({
    service: e.service,
    endpoint: label,
    what,
    req: { method: e.method, path: pathOf(e), headers: authorization ? { authorization } : {} },
    expect: { status },
  });
  return [
    c('missing key', undefined, [401]),
    c('forged key', 'Bearer alk_forged_0000000000000000000000000000', [401]),
    c('Basic auth', 'Basic dXNlcjpwYXNz', [401]),
    c('wrong scope', `Bearer ${wrongScope}`, [401, 403]),
    c('key with SQL', `Bearer alk_' OR '1'='1`, [401]),
  ];
}

function pathCases(e: Endpoint, k: Keys, label: string): Case[] {
  const headers = { authorization: `Bearer ${keyOf(e, k)}` };
  const out: Case[] = [];
  for (const p of e.pathParams) {
    for (const [what, value, refused] of BAD_TEXT) {
      out.push({ service: e.service, endpoint: label, what: `path ${p.name}: ${what}`, req: { method: e.method, path: pathOf(e, p.name, value), headers }, expect: refused ? { status: [400], field: p.name } : undefined });
    }
    out.push({ service: e.service, endpoint: label, what: `path ${p.name}: nil uuid`, req: { method: e.method, path: pathOf(e, p.name, '00000000-0000-0000-0000-000000000000'), headers } });
  }
  return out;
}

/** A value a parameter of this pattern accepts: a UUID, a positive integer, or a word for a free-form one. */
function wellFormed(pattern: string | undefined): string {
  if (pattern && /\[0-9a-f\]\{8\}/i.test(pattern)) return randomUUID();
  if (pattern && new RegExp(pattern).test('1')) return '1';
  return 'edge';
}

function queryCases(e: Endpoint, k: Keys, label: string): Case[] {
  const headers = { authorization: `Bearer ${keyOf(e, k)}` };
  const path = pathOf(e);
  // Every other required parameter is given a well-formed value, so an answer is about the one at fault.
  const required = (except?: string) => e.queryParams.filter((p) => p.required && p.name !== except).map((p) => `${p.name}=${wellFormed(p.pattern)}&`).join('');
  const q = (what: string, query: string, expect?: Case['expect'], target?: string): Case => ({ service: e.service, endpoint: label, what, req: { method: e.method, path: `${path}?${required(target)}${query}`, headers }, expect });
  const out: Case[] = [q('unknown parameter', 'zzz=1'), q('NUL in a parameter name', 'a%00=1', isPublic(e) ? undefined : { status: [400] })];
  for (const { name, pattern } of e.queryParams) {
    const q1 = (what: string, query: string, expect?: Case['expect']) => q(what, query, expect, name);
    for (const [what, value, refused] of BAD_TEXT) out.push(q1(`${name}: ${what}`, `${name}=${value}`, refused ? { status: [400], field: name } : undefined));
    out.push(q1(`${name}: repeated`, `${name}=a&${name}=b`), q1(`${name}: nested`, `${name}[a][b]=1`), q1(`${name}: empty`, `${name}=`));
    // from / to / since are instants, unless the document gives the parameter another form (a tree size's pattern).
    if (['from', 'to', 'since'].includes(name) && !pattern) for (const [d, refused] of BAD_DATES) out.push(q1(`${name}: date ${d}`, `${name}=${enc(d)}`, refused ? { status: [400], field: name } : undefined));
    if (pattern) for (const v of ['0', '-1', '1.5', 'abc', '99999999999999999999']) if (!new RegExp(pattern).test(v)) out.push(q1(`${name}: ${v} (outside ${pattern})`, `${name}=${enc(v)}`, { status: [400], field: name }));
    if (name === 'limit') for (const l of BAD_LIMITS) out.push(q1(`limit ${l}`, `limit=${l}`, { status: [400], field: 'limit' }));
    if (name === 'cursor') {
      for (const [what, cursor] of forgedCursors(k.a.tenantId)) out.push(q1(`cursor: ${what}`, `cursor=${enc(cursor)}`, { status: [400], code: 'invalid_cursor', field: 'cursor' }));
      for (const [list, cursor] of Object.entries(k.otherTenantCursors)) out.push(q1(`cursor of another tenant (${list})`, `cursor=${enc(cursor)}`, { status: [400], code: 'invalid_cursor', field: 'cursor' }));
    }
  }
  if (e.query.includes('from') && e.query.includes('to')) {
    out.push(q('from after to', 'from=2024-02-02T00:00:00Z&to=2024-02-01T00:00:00Z', { status: [400], field: 'from' }));
    out.push(q('from equals to', 'from=2024-02-01&to=2024-02-01', { status: [400], field: 'from' }));
  }
  return out;
}

function bodyCases(e: Endpoint, k: Keys, label: string): Case[] {
  if (!e.bodyProps) return [];
  const auth = { authorization: `Bearer ${keyOf(e, k)}` };
  const path = pathOf(e);
  const b = (what: string, body: string | Buffer, headers: Record<string, string> = json, expect?: Case['expect']): Case => ({ service: e.service, endpoint: label, what, req: { method: e.method, path, headers: { ...auth, ...headers }, body }, expect });
  const props = e.bodyProps.length ? e.bodyProps : [{ name: 'note', type: 'string' }];
  const strings = props.filter((p) => p.type === 'string').slice(0, 3);
  const target = (strings[0] ?? props[0]).name;
  const one = (v: string) => `{${JSON.stringify(target)}:${v}}`;
  const out: Case[] = [
    b('malformed JSON', '{"a":', json, { status: [400], code: 'malformed_json' }),
    b('truncated JSON', '{"a":"b"', json, { status: [400], code: 'malformed_json' }),
    b('JSON string', '"text"', json, { status: [400] }),
    b('JSON null', 'null', json, { status: [400] }),
    b('JSON array', '[]', json, { status: [400] }),
    b('unknown field', '{"zzz_unknown":1}', json, { status: [400] }),
    b('nesting 10,000 deep', `{"x":${deep(10_000)}}`, json, { status: [400] }),
    b('nesting 70 deep', `{${JSON.stringify(target)}:${deep(70)}}`, json, { status: [400] }),
    b('NUL in a key', '{"a\\u0000b":1}', json, { status: [400] }),
    b('number 1e400', one('1e400'), json, { status: [400] }),
    b('huge field (200,000 characters)', one(JSON.stringify('x'.repeat(200_000))), json, { status: [400, 413] }),
    b('over the body limit (2 MiB)', one(JSON.stringify('x'.repeat(2 * 1024 * 1024))), json, { status: [413] }),
    b('form body', `${target}=a&b=c`, { 'content-type': 'application/x-www-form-urlencoded' }, { status: [415] }),
    b('text body', 'hello', { 'content-type': 'text/plain' }, { status: [415] }),
    b('multipart body', '--x\r\n\r\nhi\r\n--x--', { 'content-type': 'multipart/form-data; boundary=x' }, { status: [415] }),
    b('no Content-Type', '{}', {}, { status: [415] }),
    b('charset latin1', '{}', { 'content-type': 'application/json; charset=latin1' }, { status: [415] }),
    b('utf-16 declared, utf-8 sent', '{"a":1}', { 'content-type': 'application/json; charset=utf-16' }, { status: [400] }),
    b('bad gzip', Buffer.from('not gzip at all'), { ...json, 'content-encoding': 'gzip' }, { status: [400], code: 'undecodable_body' }),
    b('bad br', Buffer.from('not brotli'), { ...json, 'content-encoding': 'br' }, { status: [400], code: 'undecodable_body' }),
    b('bad deflate', Buffer.from('not deflate'), { ...json, 'content-encoding': 'deflate' }, { status: [400], code: 'undecodable_body' }),
    b('truncated gzip', gzipSync('{"a":"' + 'x'.repeat(1000) + '"}').subarray(0, 30), { ...json, 'content-encoding': 'gzip' }, { status: [400] }),
    b('gzip bomb over the limit', gzipSync(one(JSON.stringify('x'.repeat(3 * 1024 * 1024)))), { ...json, 'content-encoding': 'gzip' }, { status: [413] }),
    b('unsupported encoding', '{}', { ...json, 'content-encoding': 'compress' }, { status: [415] }),
    b('gzip then deflate', deflateSync(gzipSync('{}')), { ...json, 'content-encoding': 'gzip, deflate' }, { status: [415] }),
    b('valid gzip, unknown field', gzipSync('{"zzz_unknown":1}'), { ...json, 'content-encoding': 'gzip' }, { status: [400] }),
    b('valid br, unknown field', brotliCompressSync('{"zzz_unknown":1}'), { ...json, 'content-encoding': 'br' }, { status: [400] }),
  ];
  for (const s of strings) {
    out.push(b(`${s.name}: NUL`, `{${JSON.stringify(s.name)}:"a\\u0000b"}`, json, { status: [400], field: `/${s.name}` }));
    out.push(b(`${s.name}: lone high surrogate`, `{${JSON.stringify(s.name)}:"a\\ud800b"}`, json, { status: [400], field: `/${s.name}` }));
    out.push(b(`${s.name}: lone low surrogate`, `{${JSON.stringify(s.name)}:"\\udc00"}`, json, { status: [400], field: `/${s.name}` }));
    for (const [what, v] of [['SQL injection', "'); DROP TABLE escalations;--"], ['CSV injection', '=cmd|\' /C calc\'!A0'], ['unicode edge cases', '\uFEFF\u202E𝕏\u0301👩‍👩‍👧\uFFFF'], ['header injection', 'x\r\nSet-Cookie: a=b']]) {
      out.push(b(`${s.name}: ${what}`, JSON.stringify({ [s.name]: v })));
    }
  }
  for (const p of props.slice(0, 8)) {
    for (const v of ['12345', '[]', '{"a":1}', 'true']) out.push(b(`${p.name}: wrong type ${v}`, `{${JSON.stringify(p.name)}:${v}}`));
  }
  return out;
}

/** Every class of bad input for one endpoint. */
export function casesFor(e: Endpoint, k: Keys): Case[] {
  const label = `${e.service === 'ingest-api' ? 'ingest' : 'audit'} ${e.method} ${e.path}`;
  return [...authCases(e, k, label), ...pathCases(e, k, label), ...queryCases(e, k, label), ...bodyCases(e, k, label)];
}
