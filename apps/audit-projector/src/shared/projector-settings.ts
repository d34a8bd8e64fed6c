import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { ACTION_EVENTS_TOPIC } from '@agent-ledger/contracts';
import { loadSigningKey, MasterKeyring, PiiCipher, type SigningKey } from '@agent-ledger/integrity';
import type { AuditProjectorConfig } from '../config/audit-projector.config';

export const PROJECTOR_SETTINGS = Symbol('PROJECTOR_SETTINGS');

/** What the projector's providers need, built once from the validated config. */
export interface ProjectorSettings {
  groupId: string;
  topic: string;
  concurrency: number;
  maxBatchBytes: number;
  sessionTimeoutMs: number;
  cipher: PiiCipher;
  signingKey: SigningKey;
  checkpointEveryEvents: number;
  checkpointEveryMs: number;
  /** Keys generated for this process only because they were not configured (never in production). */
  ephemeralKeys: ('LEDGER_MASTER_KEY' | 'LEDGER_SIGNING_KEY')[];
}

/**
 * Outside production a missing key is replaced by a random one for this process (and reported at
 * boot): PII written with it cannot be read after a restart, and checkpoints signed with it cannot
 * be verified with a published key. Production refuses to start without both (config validation).
 */
export function projectorSettings(config: AuditProjectorConfig): ProjectorSettings {
  const ephemeralKeys: ProjectorSettings['ephemeralKeys'] = [];
  let masterKey = config.LEDGER_MASTER_KEY;
  if (!masterKey) {
    masterKey = randomBytes(32);
    ephemeralKeys.push('LEDGER_MASTER_KEY');
  }
  let signingKey = config.LEDGER_SIGNING_KEY;
  if (!signingKey) {
    signingKey = loadSigningKey(generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64'));
    ephemeralKeys.push('LEDGER_SIGNING_KEY');
  }
  return {
    groupId: config.AUDIT_PROJECTOR_GROUP_ID,
    topic: ACTION_EVENTS_TOPIC,
    concurrency: config.AUDIT_PROJECTOR_CONCURRENCY,
    maxBatchBytes: config.AUDIT_PROJECTOR_MAX_BATCH_BYTES,
    sessionTimeoutMs: config.AUDIT_PROJECTOR_SESSION_TIMEOUT_MS,
    cipher: new PiiCipher(new MasterKeyring(masterKey, config.LEDGER_PREVIOUS_MASTER_KEYS)),
    signingKey,
    checkpointEveryEvents: config.CHECKPOINT_EVERY_EVENTS,
    checkpointEveryMs: config.CHECKPOINT_EVERY_MS,
    ephemeralKeys,
  };
}
