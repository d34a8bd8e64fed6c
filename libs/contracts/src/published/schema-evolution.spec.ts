import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { publishedSchemas, type JsonSchemaDocument } from './published-schemas';
import { schemaBreaks } from './schema-compatibility';

// The evolution policy (docs/events.md#evolution): v1 only gains optional fields, values and room.
// The current contracts are compared with the last released schemas (schemas/released/v1/).

const RELEASED_DIR = path.resolve(__dirname, '../../../../schemas/released/v1');
const current = new Map(publishedSchemas().map((s) => [s.file, s.document]));
const released = (file: string) => JSON.parse(readFileSync(path.join(RELEASED_DIR, file), 'utf8')) as JsonSchemaDocument;
const releasedFiles = existsSync(RELEASED_DIR) ? readdirSync(RELEASED_DIR).filter((f) => f.endsWith('.json')) : [];

/** A copy of a current document, changed by `change`. */
function changed(file: string, change: (doc: any) => void): JsonSchemaDocument {
  const doc = JSON.parse(JSON.stringify(current.get(file)));
  change(doc);
  return doc;
}

describe('schema evolution against the last release', () => {
  it('should find the released schemas when the repository is checked out', () => {
    expect(releasedFiles).toEqual(expect.arrayContaining(['action-event-input.v1.json', 'action-event.v1.json', 'escalation-event.v1.json', 'checkpoint.v1.json']));
  });

  it.each(releasedFiles)('should still publish %s compatibly with its release', (file) => {
    expect(current.has(file)).toBe(true);
    expect(schemaBreaks(released(file), current.get(file))).toEqual([]);
  });
});

describe(schemaBreaks.name, () => {
  const EVENT = 'action-event.v1.json';
  const ESCALATION = 'escalation-event.v1.json';
  const base = () => current.get(EVENT)!;

  it.each([
    ['a removed property', EVENT, (d: any) => delete d.properties.tool.properties.riskLevel, '/properties/tool/properties/riskLevel', 'was removed'],
    ['a changed type', EVENT, (d: any) => (d.properties.durationMs.type = 'string'), '/properties/durationMs/type', 'type changed from number to string'],
    ['a new required field', EVENT, (d: any) => d.required.push('sessionId'), '/required', '"sessionId" became required'],
    ['a removed enum value', EVENT, (d: any) => d.properties.tool.properties.riskLevel.enum.pop(), '/properties/tool/properties/riskLevel/enum', 'lost the value "critical"'],
    ['a shorter maxLength', EVENT, (d: any) => (d.properties.sessionId.maxLength = 100), '/properties/sessionId/maxLength', 'narrowed from 200 to 100'],
    ['a raised minimum', ESCALATION, (d: any) => (d.$defs['escalation.opened'].properties.count.minimum = 2), '/$defs/escalation.opened/properties/count/minimum', 'narrowed from 1 to 2'],
    ['fewer items', ESCALATION, (d: any) => (d.$defs['escalation.updated'].properties.triggeringEventIds.maxItems = 10), '/$defs/escalation.updated/properties/triggeringEventIds/maxItems', 'narrowed from 100 to 10'],
    ['a closed reader form', EVENT, (d: any) => (d.properties.agent.additionalProperties = false), '/properties/agent/additionalProperties', 'was added'],
    ['a changed pattern', EVENT, (d: any) => (d.properties.traceparent.pattern = '^00-'), '/properties/traceparent/pattern', 'changed from'],
    ['a rule for a released type', EVENT, (d: any) => d.allOf.push({ if: { properties: { type: { const: 'action.executed' } } }, then: { required: ['output'] } }), '/allOf/5', 'adds a rule for the released type(s) "action.executed"'],
    ['a rule that names no type', EVENT, (d: any) => d.allOf.push({ required: ['sessionId'] }), '/allOf/5', 'was added'],
  ])('should name the path of %s', (_what, file, change, pointer, message) => {
    const breaks = schemaBreaks(current.get(file), changed(file, change));

    expect(breaks).toEqual([expect.objectContaining({ pointer, message: expect.stringContaining(message) })]);
  });

  it('should accept the changes the policy allows: optional fields, new values, new types with their rules, more room', () => {
    const later = changed(EVENT, (d) => {
      d.properties.costCenter = { type: 'string', maxLength: 50 };
      d.properties.tool.properties.costClass = { type: 'string' };
      d.properties.type.enum.push('signal.new_kind');
      d.allOf.push({ if: { properties: { type: { const: 'signal.new_kind' } }, required: ['type'] }, then: { required: ['sessionId'] } });
      d.properties.tool.properties.riskLevel.enum.push('unknown');
      d.properties.sessionId.maxLength = 400;
      d.properties.message.properties.tokens.type = 'number';
      d.properties.durationMs.description = 'milliseconds';
    });

    expect(schemaBreaks(base(), later)).toEqual([]);
  });

  it('should report every break of one change set, each with its own path', () => {
    const later = changed(EVENT, (d) => {
      delete d.properties.plan;
      d.properties.error.required.push('code');
    });

    expect(schemaBreaks(base(), later).map((b) => b.pointer).sort()).toEqual(['/properties/error/required', '/properties/plan']);
  });
});
