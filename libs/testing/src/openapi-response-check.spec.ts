import { expectResponseMatchesOpenApi, matchPathTemplate, type OpenApiDocument } from './openapi-response-check';

const document: OpenApiDocument = {
  openapi: '3.1.0',
  paths: {
    '/v1/records/{id}': {
      get: {
        responses: {
          '200': { description: 'one', content: { 'application/json': { schema: { $ref: '#/components/schemas/Record' } } } },
          '204': { description: 'none' },
          default: { description: 'error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
        },
      },
    },
    '/v1/records/stats': { get: { responses: { '200': { description: 'x', content: { 'application/json': { schema: { type: 'object', required: ['total'] } } } } } } },
    '/v1/export': {
      get: { responses: { '200': { description: 'lines', content: { 'application/x-ndjson': { schema: { type: 'object', required: ['id'], properties: { id: { type: 'string' } } } } } } } },
    },
  },
  components: {
    schemas: {
      Record: { type: 'object', required: ['id', 'at'], properties: { id: { type: 'string' }, at: { type: 'string', format: 'date-time' }, note: { type: ['string', 'null'] } } },
      Error: { type: 'object', required: ['error'], properties: { error: { type: 'object', required: ['code'] } } },
    },
  },
};

describe('expectResponseMatchesOpenApi', () => {
  it('should pass when a concrete URL answers the declared shape', () => {
    expect(() => expectResponseMatchesOpenApi(document, 'GET', 'http://127.0.0.1:1/v1/records/abc?x=1', 200, { id: 'abc', at: '2026-01-01T00:00:00Z', note: null })).not.toThrow();
  });

  it('should fail with the path, status and field when a required field is missing', () => {
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/records/abc', 200, { id: 'abc' })).toThrow(/GET \/v1\/records\/\{id\} → 200[\s\S]*must have required property 'at'/);
  });

  it('should fail when a format does not hold', () => {
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/records/abc', 200, { id: 'abc', at: 'yesterday' })).toThrow(/\/at must match format "date-time"/);
  });

  it('should check an undeclared status against the default response', () => {
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/records/abc', 404, { error: { code: 'not_found' } })).not.toThrow();
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/records/abc', 404, { message: 'x' })).toThrow(/→ 404/);
  });

  it('should fail when the method or path is not in the document', () => {
    expect(() => expectResponseMatchesOpenApi(document, 'post', '/v1/records/abc', 200, {})).toThrow(/no POST operation/);
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v2/nothing', 200, {})).toThrow(/no path of the document matches/);
  });

  it('should fail when a body arrives where none is declared', () => {
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/records/abc', 204, undefined)).not.toThrow();
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/records/abc', 204, { id: 'x' })).toThrow(/declared without a body/);
  });

  it('should check every item of a line media type and name the failing one', () => {
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/export', 200, [{ id: 'a' }, { id: 'b' }], 'application/x-ndjson; charset=utf-8')).not.toThrow();
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/export', 200, [{ id: 'a' }, {}], 'application/x-ndjson')).toThrow(/item 1/);
    expect(() => expectResponseMatchesOpenApi(document, 'get', '/v1/export', 200, [{ id: 'a' }], 'text/csv')).toThrow(/media type text\/csv not declared/);
  });

  it('should prefer the literal path when a template also matches', () => {
    expect(matchPathTemplate(document, '/v1/records/stats')).toBe('/v1/records/stats');
    expect(matchPathTemplate(document, '/v1/records/r1')).toBe('/v1/records/{id}');
  });
});
