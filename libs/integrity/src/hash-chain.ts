import { createHash } from 'node:crypto';

/** The `prev_hash` of the first row of every chain: 32 zero bytes. */
export const GENESIS_HASH: Buffer = Buffer.alloc(32);

/**
 * The hash of one chain row: SHA-256(prevHash ‖ UTF-8 bytes of the canonical JSON of the stored
 * event). `eventJson` must be exactly the text stored in `audit_events.event_json`.
 */
export function hashEvent(prevHash: Buffer, eventJson: string): Buffer {
  if (prevHash.length !== 32) throw new RangeError(`hashEvent: prevHash must be 32 bytes (is ${prevHash.length})`);
  return createHash('sha256').update(prevHash).update(eventJson, 'utf8').digest();
}
