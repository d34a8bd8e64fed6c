import type { KeyWrapper, PiiCipher, TrustedKey } from '@agent-ledger/integrity';

export const LEDGER_KEYS = Symbol('LEDGER_KEYS');

/** The keys audit-api reads the record with (from the environment). */
export interface LedgerKeys {
  /** Opens stored PII; absent: PII reads as encrypted. */
  cipher?: PiiCipher;
  /** Wraps new webhook signing secrets; absent without LEDGER_MASTER_KEY. */
  webhookSecrets?: KeyWrapper;
  /** Trusted checkpoint keys (the current one and those rotated out), each with its validity window. */
  publicKeys: TrustedKey[];
}
