import { randomBytes } from 'node:crypto';
import type { PiiCipher } from '@agent-ledger/integrity';

/** Standard Webhooks symmetric secrets: `whsec_` + base64 of 32 random bytes (the spec asks 24-64). */
export const SECRET_BYTES = 32;
export const SECRET_PREFIX = 'whsec_';

/**
 * Name under which a secret is wrapped (AES-256-GCM under LEDGER_MASTER_KEY, with the tenant and
 * this name authenticated, so a wrapped secret copied to another endpoint or tenant does not open).
 * The notifier unwraps with the same name (`webhooks/webhook-secret.store.ts`).
 */
export const webhookSecretKeyId = (endpointId: string, version: number): string => `webhook-secret/${endpointId}/${version}`;

export interface NewSecret {
  /** Shown once to the caller. */
  secret: string;
  /** Stored. */
  wrapped: Buffer;
}

export function generateSecret(cipher: PiiCipher, tenantId: string, endpointId: string, version: number): NewSecret {
  const bytes = randomBytes(SECRET_BYTES);
  return { secret: SECRET_PREFIX + bytes.toString('base64'), wrapped: cipher.wrapDataKey(bytes, tenantId, webhookSecretKeyId(endpointId, version)) };
}
