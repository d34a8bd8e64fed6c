export { GENESIS_HASH, hashEvent } from './hash-chain';
export {
  keyValidAt,
  loadPublicKey,
  loadSigningKey,
  parseStoredCheckpoint,
  parseTrustedKeys,
  signCheckpoint,
  signingKeyId,
  verifyCheckpointSignature,
  type CheckpointContent,
  type SigningKey,
  type TrustedKey,
} from './signing';
export {
  actorKeyName,
  decryptPii,
  encryptEventPii,
  encryptPii,
  ERASED_PII,
  isPiiEnvelope,
  PII_ENVELOPE_VERSION,
  PiiCipher,
  PiiKeyError,
  piiKeyIds,
  piiKeyNames,
  revealEventPii,
  type DataKey,
  type GeneratedDataKey,
  type PiiEnvelope,
} from './pii-cipher';
export { deriveKey, KEY_PURPOSES, MASTER_KEY_BYTES, MasterKeyring, masterKeyId, type KeyPurpose } from './key-derivation';
export { generateSecrets, generateSigningKeyPair, parseDurationMs, publicKeyOf, rotateMasterKey, rotateSigningKey, type MasterRotation, type SigningRotation } from './key-rotation';
export { describeWrap, KeyWrapper, WRAP_FORMATS, webhookSecretKeyId, webhookSecretWrapper, type WrapInfo } from './key-wrapper';
export { deriveColumns, storableText, UnstorableEventError, type DerivedColumns } from './derived-columns';
export { deriveQueryColumns, QUERY_COLUMN_KEYS, QUERY_COLUMN_NAMES, type QueryColumns } from './query-columns';
export { STORED_ROW_SQL_COLUMNS, type StoredRow } from './stored-row';
export { toChainExportRow, type ArchivedRow, type ChainExportRow } from './chain-row.codec';
export {
  verifyChains,
  type ChainAnchor,
  type ChainSummary,
  type RecordedHead,
  type UncoveredRange,
  type VerificationFailure,
  type VerificationFailureKind,
  type VerificationReport,
  type VerificationStatus,
  type VerifyChainsOptions,
} from './verify-chains';
export {
  ARCHIVE_FORMAT,
  purgeAnchorsOf,
  RETENTION_PURGED,
  retentionPurgedDetails,
  retentionPurgedEvent,
  type ArchiveManifest,
  type ManifestChain,
  type PurgeAnchor,
  type PurgeArchive,
  type PurgeCut,
  type RetentionPurgedDetails,
} from './retention-record';
export * from './merkle';
