import { Inject, Injectable } from '@nestjs/common';
import { piiKeyIds, revealEventPii } from '@agent-ledger/integrity';
import { createLogger } from '@agent-ledger/telemetry';
import { LEDGER_KEYS, type LedgerKeys } from '../shared/ledger-keys';
import { SubjectKeysRepository } from './subject-keys.repository';

/** What a reader sees in place of PII when this server has no master key. */
export const ENCRYPTED_PII = Object.freeze({ $encrypted: true });

/** What a reader without the `pii` scope sees in place of PII (docs/audit-api.md). */
export const REDACTED_PII = Object.freeze({ $redacted: 'pii scope required' });

/**
 * Opens the PII of stored events for a reader of the same tenant whose key carries the `pii` scope:
 * `subject.pii` and `actor.ip` decrypted with their subject keys; an erased subject's PII reads as
 * `{"$erased":true}`. Without the scope those fields read as {@link REDACTED_PII} and no key is read.
 */
@Injectable()
export class PiiReader {
  private readonly log = createLogger(PiiReader.name);

  constructor(
    private readonly keys: SubjectKeysRepository,
    @Inject(LEDGER_KEYS) private readonly ledgerKeys: LedgerKeys,
  ) {}

  /** Reveals many events with one key lookup. `events` are stored events (parsed event_json). */
  async reveal<T extends Record<string, unknown>>(tenantId: string, events: T[], pii: boolean): Promise<T[]> {
    if (!pii) return events.map((e) => replacePii(e, REDACTED_PII) as T);
    const ids = [...new Set(events.flatMap((e) => piiKeyIds(e)))];
    if (!ids.length) return events;
    const cipher = this.ledgerKeys.cipher;
    if (!cipher) return events.map((e) => (piiKeyIds(e).length ? (replacePii(e, ENCRYPTED_PII) as T) : e));
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

/**
 * `subject.pii` and `actor.ip` replaced by a marker: redacted (no `pii` scope), or encrypted (no
 * master key here: say "encrypted", not "erased").
 */
function replacePii(e: Record<string, unknown>, marker: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...e };
  const subject = out.subject as Record<string, unknown> | undefined;
  if (subject && typeof subject === 'object' && 'pii' in subject) out.subject = { ...subject, pii: marker };
  const actor = out.actor as Record<string, unknown> | undefined;
  if (actor && typeof actor === 'object' && 'ip' in actor) out.actor = { ...actor, ip: marker };
  return out;
}
