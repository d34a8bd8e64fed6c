import { ACTION_EVENT_INPUT_SCHEMA, ACTION_EVENT_SCHEMA } from '../action-event.schema';
import { ESCALATION_EVENT_TYPES } from '../escalation-event';
import { ESCALATION_EVENT_ENVELOPE_SCHEMA, ESCALATION_EVENT_SCHEMAS } from '../escalation-event.schema';
import { EARLIEST_INSTANT, LATEST_INSTANT } from '../instant-range';
import { INSTANT_RANGE_KEYWORD } from '../schema-validator';
import { ACTION_EVENT_SCHEMA_VERSION, CHECKPOINT_SCHEMA_VERSION, ESCALATION_EVENT_SCHEMA_VERSION } from '../topics';
import { CHECKPOINT_SCHEMA } from '../validate-checkpoint';

// The contracts as JSON Schema 2020-12 documents for producers and consumers in any language
// (schemas/*.json, written by cli/generate-schemas.ts, described in docs/events.md). They are
// translated from the draft-07 schemas the validators compile, so the two cannot drift: the
// validators remain the reference, and the documents state the checks JSON Schema cannot express.

export const JSON_SCHEMA_2020_12 = 'https://json-schema.org/draft/2020-12/schema';
/** Base of every published `$id`; the file name is the last segment. */
export const PUBLISHED_SCHEMA_BASE = 'https://agent-ledger.dev/schemas/';

/** The lowercase canonical UUID the validators' `uuid` format accepts (one spelling per id). */
export const LOWERCASE_UUID_PATTERN = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

const INSTANT_RANGE_TEXT = `An RFC 3339 date-time with a time zone, naming an instant from ${EARLIEST_INSTANT} to ${LATEST_INSTANT} (the range is checked by the ledger: JSON Schema cannot compare instants)`;

/** Checks of every document that JSON Schema cannot express (docs/intake-contract.md). */
const TEXT_RULES =
  'Checks beyond this schema (docs/intake-contract.md): no NUL (U+0000) and no lone UTF-16 surrogate in any string or object key; objects and arrays nest at most 64 levels; numbers are finite; every date-time names an instant within 1970-01-01T00:00:00Z … 9999-12-31T23:59:59.999Z.';
const EVENT_SIZE_RULES = (eventBytes: number) =>
  ` The event is at most ${eventBytes} bytes as compact UTF-8 JSON, and metadata at most 16384 bytes.`;

export type JsonSchemaDocument = Record<string, unknown>;

/** One published document: its file under schemas/ and its content. */
export interface PublishedSchema {
  /** File name under schemas/, e.g. `action-event.v1.json`. */
  file: string;
  /** Value of the `x-ledger-schema` header of the messages it describes, when it describes a topic's messages. */
  schemaVersion?: string;
  document: JsonSchemaDocument;
}

/**
 * Translates one draft-07 schema of the validators into 2020-12 terms:
 * - `format: uuid` gains the lowercase pattern (formats only annotate in 2020-12, and the ledger's
 *   UUIDs have one spelling);
 * - `format: ip` (not a standard format) becomes `ipv4` or `ipv6`;
 * - the instant-range keyword becomes a description (a custom keyword would fail strict readers);
 * - nested `$schema`/`$id` are dropped (variants become `$defs`).
 */
export function translateSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(translateSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === '$schema' || key === '$id' || key === INSTANT_RANGE_KEYWORD) continue;
    out[key] = key === 'properties' || key === '$defs' ? mapValues(value as Record<string, unknown>, translateSchema) : translateSchema(value);
  }
  const source = node as Record<string, unknown>;
  if (source.format === 'uuid') out.pattern = LOWERCASE_UUID_PATTERN;
  if (source.format === 'ip') {
    delete out.format;
    out.anyOf = [{ format: 'ipv4' }, { format: 'ipv6' }];
  }
  if (INSTANT_RANGE_KEYWORD in source) out.description = INSTANT_RANGE_TEXT;
  return out;
}

function mapValues(record: Record<string, unknown>, f: (v: unknown) => unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, f(v)]));
}

function document(file: string, title: string, description: string, schema: object, extra: Record<string, unknown> = {}): JsonSchemaDocument {
  const { title: _draftTitle, ...body } = translateSchema(schema) as Record<string, unknown>;
  return { $schema: JSON_SCHEMA_2020_12, $id: `${PUBLISHED_SCHEMA_BASE}${file}`, title, description, ...body, ...extra };
}

/** Escalation event v1 as one document: the shared fields, then the variant of each `type` (`$defs`). */
function escalationEventDocument(file: string): JsonSchemaDocument {
  const variants = Object.fromEntries(ESCALATION_EVENT_TYPES.map((type) => [type, translateSchema(ESCALATION_EVENT_SCHEMAS[type])]));
  return document(
    file,
    'Escalation event v1',
    `A message of agent-ledger.escalations.v1 (header x-ledger-schema: ${ESCALATION_EVENT_SCHEMA_VERSION}), keyed tenantId:sessionId. Open: ignore fields you do not know. ${TEXT_RULES}`,
    ESCALATION_EVENT_ENVELOPE_SCHEMA,
    {
      allOf: ESCALATION_EVENT_TYPES.map((type) => ({ if: { properties: { type: { const: type } }, required: ['type'] }, then: { $ref: `#/$defs/${type}` } })),
      $defs: variants,
    },
  );
}

/** Every published document, in a stable order. */
export function publishedSchemas(): PublishedSchema[] {
  return [
    {
      file: 'action-event-input.v1.json',
      document: document(
        'action-event-input.v1.json',
        'Action event v1 (producer input)',
        `What a producer submits: an item of POST /v1/events, or what a direct producer validates before stamping. Closed at every level: an unknown field is refused, so a typo is reported rather than dropped. tenantId and receivedAt are set by ingest and refused here. ${TEXT_RULES}${EVENT_SIZE_RULES(255 * 1024)}`,
        ACTION_EVENT_INPUT_SCHEMA,
      ),
    },
    {
      file: 'action-event.v1.json',
      schemaVersion: ACTION_EVENT_SCHEMA_VERSION,
      document: document(
        'action-event.v1.json',
        'Action event v1 (as carried on agent-ledger.action-events.v1 and stored)',
        `The stamped event: what ingest and direct producers publish (header x-ledger-schema: ${ACTION_EVENT_SCHEMA_VERSION}) and the ledger stores. Open at every level but the PII envelope: ignore fields you do not know. ${TEXT_RULES}${EVENT_SIZE_RULES(256 * 1024)}`,
        ACTION_EVENT_SCHEMA,
      ),
    },
    { file: 'escalation-event.v1.json', schemaVersion: ESCALATION_EVENT_SCHEMA_VERSION, document: escalationEventDocument('escalation-event.v1.json') },
    {
      file: 'checkpoint.v1.json',
      schemaVersion: CHECKPOINT_SCHEMA_VERSION,
      document: document(
        'checkpoint.v1.json',
        'Checkpoint v1',
        `A message of agent-ledger.checkpoints.v1 (header x-ledger-schema: ${CHECKPOINT_SCHEMA_VERSION}), keyed by tenantId: the chain heads of a tenant, signed with Ed25519 over the canonical JSON of the checkpoint without signature. Open: ignore fields you do not know. Each partition appears at most once in heads. ${TEXT_RULES}`,
        CHECKPOINT_SCHEMA,
      ),
    },
  ];
}

/** A document as its file holds it: two-space JSON and a final newline. */
export function schemaFileText(schema: PublishedSchema): string {
  return `${JSON.stringify(schema.document, null, 2)}\n`;
}
