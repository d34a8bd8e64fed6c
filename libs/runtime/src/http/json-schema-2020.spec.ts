import { toJsonSchema2020, toOpenApi31 } from './json-schema-2020';

describe('toJsonSchema2020', () => {
  it('should turn nullable into a type list when the schema has a type', () => {
    expect(toJsonSchema2020({ type: 'string', nullable: true })).toEqual({ type: ['string', 'null'] });
    expect(toJsonSchema2020({ type: ['integer'], enum: [1, 2], nullable: true })).toEqual({ type: ['integer', 'null'], enum: [1, 2, null] });
  });

  it('should wrap a nullable reference in anyOf with null when it has no type', () => {
    expect(toJsonSchema2020({ $ref: '#/components/schemas/X', nullable: true })).toEqual({ anyOf: [{ $ref: '#/components/schemas/X' }, { type: 'null' }] });
  });

  it('should make boolean exclusive bounds numeric when they are draft-04 style', () => {
    expect(toJsonSchema2020({ type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 1, exclusiveMaximum: false })).toEqual({ type: 'number', exclusiveMinimum: 0, maximum: 1 });
  });

  it('should move definitions to $defs and follow their references when a draft-07 schema has them', () => {
    expect(toJsonSchema2020({ $schema: 'http://json-schema.org/draft-07/schema#', $id: 'urn:x', definitions: { a: { type: 'string' } }, properties: { p: { $ref: '#/definitions/a' } } })).toEqual({
      $defs: { a: { type: 'string' } },
      properties: { p: { $ref: '#/$defs/a' } },
    });
  });

  it('should drop unknown keywords and rewrite the ip format when they are nested anywhere', () => {
    const input = { type: 'object', properties: { at: { type: 'string', format: 'date-time', 'x-instant-range': ['a', 'b'] }, ip: { anyOf: [{ type: 'string', format: 'ip' }] } }, additionalProperties: false };
    expect(toJsonSchema2020(input)).toEqual({
      type: 'object',
      properties: { at: { type: 'string', format: 'date-time' }, ip: { anyOf: [{ type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] }] } },
      additionalProperties: false,
    });
  });

  it('should keep a property named like a keyword when it is a property name', () => {
    expect(toJsonSchema2020({ type: 'object', properties: { nullable: { type: 'boolean' }, definitions: { type: 'string' } } })).toEqual({
      type: 'object',
      properties: { nullable: { type: 'boolean' }, definitions: { type: 'string' } },
    });
  });

  it('should read an optional value as its schema when zod-to-json-schema writes it as anyOf with never', () => {
    expect(toJsonSchema2020({ anyOf: [{ not: {} }, { type: 'string', format: 'date-time' }], description: 'since' })).toEqual({ type: 'string', format: 'date-time', description: 'since' });
    expect(toJsonSchema2020({ anyOf: [{ not: {} }, { type: 'string' }, { type: 'integer' }] })).toEqual({ anyOf: [{ type: 'string' }, { type: 'integer' }] });
  });

  it('should turn a tuple items list into prefixItems when items is an array', () => {
    expect(toJsonSchema2020({ type: 'array', items: [{ type: 'string' }], additionalItems: false })).toEqual({ type: 'array', prefixItems: [{ type: 'string' }], items: false });
  });

  it('should convert every schema of a document and set 3.1.0 when a 3.0 document is given', () => {
    const doc = toOpenApi31({
      openapi: '3.0.0',
      paths: { '/a': { get: { parameters: [{ schema: { type: 'string', nullable: true } }], responses: { '200': { content: { 'application/json': { schema: { type: 'integer', nullable: true } } } } } } } },
      components: { schemas: { A: { type: 'string', nullable: true } } },
    });
    expect(doc.openapi).toBe('3.1.0');
    expect(JSON.stringify(doc)).not.toContain('nullable');
  });
});
