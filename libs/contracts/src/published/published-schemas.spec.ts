import { anActionEvent, anActionEventInput } from '@agent-ledger/testing';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PRODUCER_EVENT_TYPES } from '../action-event';
import { schemaDrift } from '../cli/generate-schemas';
import { validateActionEvent, validateActionEventInput } from '../validate-action-event';
import { validateCheckpoint } from '../validate-checkpoint';
import { validateEscalationEvent } from '../validate-escalation-event';
import { JSON_SCHEMA_2020_12, publishedSchemas, schemaFileText } from './published-schemas';
import { checkpointSample, escalationSampleList, escalationSamples, TENANT } from './samples.fixtures';

const SCHEMAS_DIR = path.resolve(__dirname, '../../../../schemas');

/** A reader in another language would do this: load the file, compile it with a 2020-12 validator. */
function compileFile(file: string) {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  const document = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, file), 'utf8'));
  const validate = ajv.compile(document);
  return (value: unknown) => {
    const ok = validate(value);
    // The pointer of the field itself, as the ledger's validators report it.
    const pointers = (validate.errors ?? []).map((e) => {
      const name = e.keyword === 'required' ? e.params.missingProperty : e.keyword === 'additionalProperties' ? e.params.additionalProperty : undefined;
      return name === undefined ? e.instancePath : `${e.instancePath}/${name}`;
    });
    return { ok, pointers: [...new Set(pointers)] };
  };
}

const input = compileFile('action-event-input.v1.json');
const stored = compileFile('action-event.v1.json');
const escalation = compileFile('escalation-event.v1.json');
const checkpoint = compileFile('checkpoint.v1.json');

const storedEvent = (overrides: Record<string, unknown> = {}) => ({ ...anActionEvent(TENANT, { type: 'action.failed' }), ...overrides });

describe('published schemas', () => {
  it('should equal what the generator writes when the contracts change (run `npm run schemas -- --write`)', () => {
    expect(schemaDrift(SCHEMAS_DIR)).toEqual({ changed: [], stale: [] });
    for (const s of publishedSchemas()) expect(readFileSync(path.join(SCHEMAS_DIR, s.file), 'utf8')).toBe(schemaFileText(s));
  });

  it('should be valid JSON Schema 2020-12 documents with an $id named after the file', () => {
    const ajv = new Ajv2020({ strict: true });
    addFormats(ajv);
    for (const { file, document } of publishedSchemas()) {
      expect({ file, valid: ajv.validateSchema(document), errors: ajv.errors }).toEqual({ file, valid: true, errors: null });
      expect(document).toMatchObject({ $schema: JSON_SCHEMA_2020_12, $id: `https://agent-ledger.dev/schemas/${file}` });
      expect(JSON.stringify(document)).not.toContain('x-instant-range');
    }
  });

  it.each(PRODUCER_EVENT_TYPES)('should accept a valid %s in the input and the stored form', (type) => {
    expect(input(anActionEventInput({ type }))).toEqual({ ok: true, pointers: [] });
    expect(stored(anActionEvent(TENANT, { type }))).toEqual({ ok: true, pointers: [] });
  });

  it('should accept a stored retention record and an encrypted actor.ip', () => {
    const envelope = { $enc: 'v1', kid: '1d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a', iv: 'AAAA', ct: 'AAAA', tag: 'AAAA' };
    expect(stored(anActionEvent(TENANT, { type: 'retention.purged', resource: { type: 'audit_events', id: 'r' }, changes: { before: 1, after: null } }))).toMatchObject({ ok: true });
    expect(stored(storedEvent({ actor: { type: 'user', id: 'u', ip: envelope } }))).toMatchObject({ ok: true });
    expect(stored(storedEvent({ actor: { type: 'user', id: 'u', ip: { ...envelope, extra: 1 } } }))).toMatchObject({ ok: false });
  });

  it('should accept every escalation event type and a checkpoint', () => {
    for (const e of escalationSampleList()) expect({ type: e.type, ...escalation(e) }).toEqual({ type: e.type, ok: true, pointers: [] });
    expect(checkpoint(checkpointSample)).toEqual({ ok: true, pointers: [] });
  });

  // Each defect is refused by the published schema and by the validator the services run, at the same field.
  it.each([
    ['a missing required field', storedEvent({ error: undefined }), '/error'],
    ['an unknown type', storedEvent({ type: 'action.exploded' }), '/type'],
    ['an uppercase UUID', storedEvent({ tenantId: TENANT.toUpperCase() }), '/tenantId'],
    ['a date-time without a zone', storedEvent({ occurredAt: '2025-03-01T10:00:00' }), '/occurredAt'],
    ['an IP that is not one', storedEvent({ actor: { type: 'user', id: 'u', ip: '300.1.1.1' } }), '/actor/ip'],
    ['an over-long id', storedEvent({ sessionId: 'x'.repeat(201) }), '/sessionId'],
    ['a negative duration', storedEvent({ durationMs: -1 }), '/durationMs'],
    ['a malformed traceparent', storedEvent({ traceparent: '00-xyz' }), '/traceparent'],
  ])('should refuse %s in the stored form as the validator does', (_what, event, pointer) => {
    const value = JSON.parse(JSON.stringify(event));
    expect(stored(value).ok).toBe(false);
    expect(stored(value).pointers).toContain(pointer);
    expect(validateActionEvent(value)).toMatchObject({ ok: false, errors: expect.arrayContaining([expect.objectContaining({ pointer })]) });
  });

  it('should refuse escalation and checkpoint defects as the validators do', () => {
    const opened = { ...escalationSamples['escalation.opened'], count: 0, reason: 'bored' };
    const resolved: Record<string, unknown> = { ...escalationSamples['escalation.resolved'] };
    delete resolved.resolvedBy;
    const badCheckpoint = { ...checkpointSample, heads: [{ partition: 0, chainSeq: '01', hash: 'A'.repeat(64) }] };

    expect(escalation(opened)).toMatchObject({ ok: false, pointers: expect.arrayContaining(['/count', '/reason']) });
    expect(validateEscalationEvent(opened).ok).toBe(false);
    expect(escalation(resolved).ok).toBe(false);
    expect(validateEscalationEvent(resolved).ok).toBe(false);
    expect(escalation({ ...escalationSamples['escalation.opened'], type: 'escalation.closed' })).toMatchObject({ ok: false, pointers: ['/type'] });
    expect(checkpoint(badCheckpoint)).toMatchObject({ ok: false, pointers: expect.arrayContaining(['/heads/0/chainSeq', '/heads/0/hash']) });
    expect(validateCheckpoint(badCheckpoint).ok).toBe(false);
  });

  it('should keep the input form closed and the reader forms open when a field is unknown', () => {
    const later = { later: { nested: true } };

    expect(input({ ...anActionEventInput({ type: 'signal.rate_limited' }), ...later })).toEqual({ ok: false, pointers: ['/later'] });
    expect(input({ ...anActionEventInput({ type: 'signal.rate_limited' }), tool: { name: 't', riskLevel: 'safe', later: 1 } })).toEqual({ ok: false, pointers: ['/tool/later'] });
    expect(input({ ...anActionEventInput({ type: 'signal.rate_limited' }), tenantId: TENANT }).ok).toBe(false);
    expect(stored(storedEvent({ ...later, tool: { name: 't', riskLevel: 'safe', later: 1 } }))).toEqual({ ok: true, pointers: [] });
    expect(escalation({ ...escalationSamples['escalation.acknowledged'], ...later })).toEqual({ ok: true, pointers: [] });
    expect(checkpoint({ ...checkpointSample, ...later, heads: [{ ...checkpointSample.heads[0], ...later }] })).toEqual({ ok: true, pointers: [] });
  });

  // What the documents state in their description but cannot express: the validators refuse these.
  it.each([
    ['a date before 1970', storedEvent({ occurredAt: '1969-12-31T23:59:59Z' }), 'range'],
    ['a NUL in a string', storedEvent({ input: { note: 'a\u0000b' } }), 'text'],
    ['metadata over 16 KiB', storedEvent({ metadata: { blob: 'x'.repeat(17_000) } }), 'tooLarge'],
  ])('should leave %s to the ledger, whose validator refuses it', (_what, event, code) => {
    expect(stored(event).ok).toBe(true);
    expect(validateActionEvent(event)).toMatchObject({ ok: false, errors: [expect.objectContaining({ code })] });
  });

  it('should describe the checks beyond JSON Schema in every document', () => {
    for (const { document } of publishedSchemas()) expect(document.description).toContain('1970-01-01T00:00:00Z');
    expect(validateActionEventInput({ ...anActionEventInput({ type: 'signal.rate_limited' }), later: 1 })).toMatchObject({ ok: false });
  });
});
