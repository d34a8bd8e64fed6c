import { createHash } from 'node:crypto';

/**
 * A name-based UUID (version 5 layout, SHA-1) from the given parts: the same trigger always gives
 * the same escalation and event ids, so a redelivered or replayed event publishes messages that
 * consumers recognise as already seen.
 */
export function deterministicId(...parts: string[]): string {
  const h = createHash('sha1').update(`agent-ledger-escalation|${parts.join('|')}`).digest();
  h[6] = (h[6] & 0x0f) | 0x50;
  h[8] = (h[8] & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
