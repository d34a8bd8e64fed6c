import type { ActionEvent } from '@agent-ledger/contracts';
import { decryptPii, encryptPii, isPiiEnvelope, PiiKeyError, piiKeyNames } from '@agent-ledger/integrity';
import { SubjectKeyStore, type ResolvedSubjectKeys } from '@agent-ledger/persistence';

export type SealResult = { ok: true; stored: Record<string, unknown> } | { ok: false; reason: string };

/** An object that claims to be an envelope (`$enc`), well-formed or not. */
const claimsEnvelope = (v: unknown): boolean => typeof v === 'object' && v !== null && !Array.isArray(v) && Object.hasOwn(v, '$enc');

/** The subject's key as the projector holds it: opened, or only its id (erased, or not unwrappable here). */
interface SubjectKeyView {
  keyId: string;
  /** Absent when the subject was erased or its key is wrapped under a master key this process does not hold. */
  key?: Buffer;
}

/**
 * Why an envelope arriving on the topic cannot be stored as it is, or undefined when it can: it must
 * be well-formed, name the key of the event's own subject (no ciphertext planted under another
 * subject's key), and authenticate under that key when this process can open it (an erased
 * subject's key is gone, and its envelope is unreadable whatever it holds). Reasons name fields,
 * never values.
 */
function envelopeProblem(value: unknown, subjectKey: SubjectKeyView | undefined): string | undefined {
  if (!isPiiEnvelope(value)) return 'is a malformed PII envelope';
  if (!subjectKey) return 'has no subject key';
  if (value.kid !== subjectKey.keyId) return "is encrypted under a key that is not its subject's";
  if (!subjectKey.key) return undefined;
  try {
    decryptPii(value, subjectKey.key);
    return undefined;
  } catch (err) {
    if (err instanceof PiiKeyError) return 'does not decrypt under its subject key';
    throw err;
  }
}

function viewOf(resolved: ResolvedSubjectKeys, cacheKey: string): SubjectKeyView | undefined {
  const key = resolved.keys.get(cacheKey);
  if (key) return resolved.erased.has(cacheKey) ? { keyId: key.keyId } : key;
  const unopenable = resolved.unopenable.get(cacheKey);
  return unopenable ? { keyId: unopenable.keyId } : undefined;
}

/**
 * The stored form of an event: `subject.pii` and `actor.ip` as envelopes. Values ingest already
 * encrypted are checked and kept as they are (the hash chain covers that ciphertext); clear values
 * (direct Kafka producers) are encrypted here. A bad envelope makes the message poison.
 */
export function sealEventPii(event: ActionEvent, resolved: ResolvedSubjectKeys): SealResult {
  const names = piiKeyNames(event);
  const out: Record<string, unknown> = { ...event };
  const seal = (field: string, value: unknown, keyName: string | undefined): { ok: true; value: unknown } | { ok: false; reason: string } => {
    const cacheKey = keyName === undefined ? undefined : SubjectKeyStore.keyOf(event.tenantId, keyName);
    const key = cacheKey === undefined ? undefined : resolved.keys.get(cacheKey);
    if (claimsEnvelope(value)) {
      const problem = envelopeProblem(value, cacheKey === undefined ? undefined : viewOf(resolved, cacheKey));
      return problem ? { ok: false, reason: `${field} ${problem}` } : { ok: true, value };
    }
    // Clear PII needs the key itself: one this process cannot unwrap fails the batch (retried, never stored in clear).
    const unopenable = cacheKey === undefined ? undefined : resolved.unopenable.get(cacheKey);
    if (unopenable) throw unopenable.error;
    if (!key) throw new PiiKeyError(`no subject key resolved for ${field}`);
    return { ok: true, value: encryptPii(value, key) };
  };
  if (event.subject && event.subject.pii !== undefined) {
    const r = seal('subject.pii', event.subject.pii, names.subject);
    if (!r.ok) return r;
    out.subject = { ...event.subject, pii: r.value };
  }
  if (event.actor && event.actor.ip !== undefined) {
    const r = seal('actor.ip', event.actor.ip, names.actor);
    if (!r.ok) return r;
    out.actor = { ...event.actor, ip: r.value };
  }
  return { ok: true, stored: out };
}
