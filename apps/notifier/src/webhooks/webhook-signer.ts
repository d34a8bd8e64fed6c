import { Webhook } from 'standardwebhooks';

/** Prefix of Standard Webhooks symmetric secrets. */
export const SECRET_PREFIX = 'whsec_';

/** `whsec_` + base64 of the secret's bytes (what the endpoint's owner is shown). */
export function formatSecret(bytes: Buffer): string {
  return SECRET_PREFIX + bytes.toString('base64');
}

export interface SignedHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/**
 * Standard Webhooks headers for one attempt: `webhook-id` (the message id, the same on every
 * attempt), `webhook-timestamp` (this attempt, Unix seconds) and `webhook-signature`
 * (`v1,<base64 HMAC-SHA256 of id.timestamp.body>`), one signature per secret, space-separated:
 * during a rotation both the new and the previous secret sign, so receivers can switch at any time.
 */
export function signWebhook(messageId: string, body: string, secrets: Buffer[], at: Date = new Date()): SignedHeaders {
  if (!secrets.length) throw new Error('no secret to sign with');
  // The library truncates the timestamp to whole seconds; so do the headers.
  const seconds = Math.floor(at.getTime() / 1_000);
  const when = new Date(seconds * 1_000);
  return {
    'webhook-id': messageId,
    'webhook-timestamp': String(seconds),
    'webhook-signature': secrets.map((s) => new Webhook(s, { format: 'raw' }).sign(messageId, when, body)).join(' '),
  };
}
