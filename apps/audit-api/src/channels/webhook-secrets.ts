import { randomBytes } from 'node:crypto';
import { webhookSecretKeyId, type KeyWrapper } from '@agent-ledger/integrity';

/** Standard Webhooks symmetric secrets: `whsec_` + base64 of 32 random bytes (the spec asks 24-64). */
export const SECRET_BYTES = 32;
export const SECRET_PREFIX = 'whsec_';

/**
 * Secrets are wrapped (AES-256-GCM under the key derived from LEDGER_MASTER_KEY for webhook secrets,
 * docs/keys.md) under the name `webhookSecretKeyId(endpoint, version)`, with the tenant and that name
 * authenticated, so a wrapped secret copied to another endpoint or tenant does not open. The
 * notifier unwraps with the same name (`webhooks/webhook-secret.store.ts`).
 */
export { webhookSecretKeyId };

export interface NewSecret {
  /** Shown once to the caller. */
  secret: string;
  /** Stored. */
  wrapped: Buffer;
}

export function generateSecret(wrapper: KeyWrapper, tenantId: string, endpointId: string, version: number): NewSecret {
  const bytes = randomBytes(SECRET_BYTES);
  return { secret: SECRET_PREFIX + bytes.toString('base64'), wrapped: wrapper.wrap(bytes, tenantId, webhookSecretKeyId(endpointId, version)) };
}
