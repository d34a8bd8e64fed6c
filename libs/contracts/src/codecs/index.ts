export {
  encodedSize,
  MAX_DECODED_VALUE_BYTES,
  MAX_PRODUCE_BYTES,
  printable,
  splitForProduce,
  type CommonMeta,
  type DecodeFailureCode,
  type DecodeResult,
  type EncodedMessage,
  type IncomingMessage,
  type TopicCodec,
} from './topic-codec';
export { actionEventsCodec, REDACTED_PATHS_MAX_BYTES, type ActionEventMeta } from './action-events.codec';
export { escalationsCodec, type EscalationEventMeta } from './escalations.codec';
export { checkpointsCodec, type CheckpointMeta } from './checkpoints.codec';
