import { Inject, Injectable } from '@nestjs/common';
import { piiKeyIds, revealEventPii } from '@agent-ledger/integrity';
import { createLogger } from '@agent-ledger/telemetry';
import { LEDGER_KEYS, type LedgerKeys } from '../shared/ledger-keys';
import { SubjectKeysRepository } from './subject-keys.repository';

/** What a reader sees in place of PII when this server has no master key. */
export const ENCRYPTED_PII = Object.freeze({ $encrypted: true });

/**
 * Opens the PII of stored events for a reader of the same tenant: `subject.pii` and `actor.ip`
 * decrypted with their subject keys; an erased subject's PII reads as `{"$erased":true}`.
 */
@Injectable()
export class PiiReader {
  private readonly log = createLogger(PiiReader.name);

  constructor(
    private readonly keys: SubjectKeysRepository,
    @Inject(LEDGER_KEYS) private readonly ledgerKeys: LedgerKeys,
  ) {}

  /** Reveals many events with one key lookup. `events` are stored events (parsed event_json). */
  async reveal<T extends Record<string, unknown>>(tenantId: string, events: T[]): Promise<T[]> {
    const ids = [...new Set(events.flatMap((e) => piiKeyIds(e)))];
    if (!ids.length) return events;
    const cipher = this.ledgerKeys.cipher;
    if (!cipher) return events.map((e) => (piiKeyIds(e).length ? (markEncrypted(e) as T) : e));
    const opened = new Map<string, Buffer | null>();
    for (const row of await this.keys.findByKeyIds(tenantId, ids)) {
      if (!row.wrappedKey) {
        opened.set(row.keyId, null);
        continue;
      }
      try {
        opened.set(row.keyId, cipher.unwrapDataKey(row.wrappedKey, tenantId, row.keyId));
      } catch (err) {
        this.log.error({ err, keyId: row.keyId }, 'a subject key does not open with the configured master key');
        opened.set(row.keyId, null);
      }
    }
    return events.map((e) => revealEventPii(e, (kid) => opened.get(kid) ?? null) as T);
  }
}

/** Without a master key nothing can be opened: say "encrypted", not "erased". */
function markEncrypted(e: Record<string, unknown>): Record<string, unknown> {
  const out = { ...e };
  const subject = out.subject as Record<string, unknown> | undefined;
  if (subject && 'pii' in subject) out.subject = { ...subject, pii: ENCRYPTED_PII };
  const actor = out.actor as Record<string, unknown> | undefined;
  if (actor && 'ip' in actor) out.actor = { ...actor, ip: ENCRYPTED_PII };
  return out;
}
