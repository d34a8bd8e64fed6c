import { ACTION_EVENT_LIMITS, type ActionEvent } from '../action-event';
import { ACTION_EVENT_SCHEMA_VERSION, ACTION_EVENTS_TOPIC, actionEventKey, REDACTED_PATHS_HEADER, REDACTED_PATHS_OMITTED_HEADER } from '../topics';
import { validateActionEvent } from '../validate-action-event';
import { commonHeaders, commonMeta, decodeWith, headerText, type CommonMeta, type TopicCodec } from './topic-codec';

/** Decoded headers of an action event message. */
export interface ActionEventMeta extends CommonMeta {
  /** JSON pointers of the values ingest (or the SDK) redacted, for audit. */
  redactedPaths: string[];
  /** How many redacted pointers did not fit the header (0 when all are listed). */
  redactedPathsOmitted: number;
}

/** Bytes of the redacted-paths header at most: the listed pointers stay whole, the rest are counted. */
export const REDACTED_PATHS_MAX_BYTES = 8 * 1024;

const encodePointer = (p: string) => p.replace(/%/g, '%25').replace(/,/g, '%2C');
const decodePointer = (p: string) => p.replace(/%2C/gi, ',').replace(/%25/g, '%');

function redactedHeaders(paths: readonly string[]): Record<string, string> {
  if (!paths.length) return {};
  let value = '';
  let listed = 0;
  for (const path of paths) {
    const next = value ? `${value},${encodePointer(path)}` : encodePointer(path);
    if (Buffer.byteLength(next, 'utf8') > REDACTED_PATHS_MAX_BYTES) break;
    value = next;
    listed++;
  }
  const omitted = paths.length - listed;
  return { ...(listed ? { [REDACTED_PATHS_HEADER]: value } : {}), ...(omitted ? { [REDACTED_PATHS_OMITTED_HEADER]: String(omitted) } : {}) };
}

/**
 * Codec of `agent-ledger.action-events.v1` (ingest, the SDK's direct mode and the change-log relay
 * produce; the projector and the escalation worker consume).
 *
 * - key: `tenantId:actionId` (else `:sessionId`, else `:eventId`), see {@link actionEventKey};
 * - value: the stored event (`validateActionEvent`) as JSON, at most
 *   {@link ACTION_EVENT_LIMITS.eventMaxBytes} bytes;
 * - headers: `x-ledger-schema: action-event.v1`, `traceparent` (the event's, when it has one),
 *   `x-ledger-redacted` (the redacted pointers, at most {@link REDACTED_PATHS_MAX_BYTES}) and
 *   `x-ledger-redacted-omitted` (how many did not fit);
 * - decode: size, UTF-8 JSON, schema header (absent is accepted), then `validateActionEvent`;
 *   reasons name fields, never values.
 */
export const actionEventsCodec: TopicCodec<ActionEvent, ActionEventMeta> = {
  topic: ACTION_EVENTS_TOPIC,
  schemaVersion: ACTION_EVENT_SCHEMA_VERSION,
  key: (event) => actionEventKey(event.tenantId, event),
  validate: validateActionEvent,
  encode: (event, meta = {}) => ({
    key: actionEventKey(event.tenantId, event),
    value: JSON.stringify(event),
    headers: { ...commonHeaders(ACTION_EVENT_SCHEMA_VERSION, meta.traceparent ?? event.traceparent), ...redactedHeaders(meta.redactedPaths ?? []) },
  }),
  decode: (message) =>
    decodeWith(message, {
      schemaVersion: ACTION_EVENT_SCHEMA_VERSION,
      // The value may carry whitespace a producer added; the contract measures compact JSON.
      maxBytes: 4 * ACTION_EVENT_LIMITS.eventMaxBytes,
      validate: validateActionEvent,
      meta: (m) => {
        const meta = commonMeta(m) as ActionEventMeta;
        const listed = headerText(m, REDACTED_PATHS_HEADER);
        meta.redactedPaths = listed ? listed.split(',').map(decodePointer) : [];
        const omittedText = headerText(m, REDACTED_PATHS_OMITTED_HEADER);
        const omitted = omittedText === undefined ? 0 : Number(omittedText);
        meta.redactedPathsOmitted = Number.isSafeInteger(omitted) && omitted > 0 ? omitted : 0;
        return meta;
      },
    }),
};
