import { canonicalJson, type ActionEvent } from '@agent-ledger/contracts';
import { decryptPii, encryptPii, isPiiEnvelope, PiiKeyError, piiKeyNames } from '@agent-ledger/integrity';
import { SubjectKeyStore, type ResolvedSubjectKeys } from '@agent-ledger/persistence';

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

/** The event's PII fields, each with the cache key of its data key. */
function piiFields(event: ActionEvent): { field: string; value: unknown; cacheKey: string }[] {
  const names = piiKeyNames(event);
  const out: { field: string; value: unknown; cacheKey: string }[] = [];
  if (event.subject && event.subject.pii !== undefined && names.subject !== undefined) out.push({ field: 'subject.pii', value: event.subject.pii, cacheKey: SubjectKeyStore.keyOf(event.tenantId, names.subject) });
  if (event.actor && event.actor.ip !== undefined && names.actor !== undefined) out.push({ field: 'actor.ip', value: event.actor.ip, cacheKey: SubjectKeyStore.keyOf(event.tenantId, names.actor) });
  return out;
}

/**
 * Why the PII envelopes of an event (as ingest writes them) cannot be stored as they are — the
 * message is poison — or undefined. Clear values are not looked at here.
 */
export function envelopeProblems(event: ActionEvent, resolved: ResolvedSubjectKeys): string | undefined {
  for (const { field, value, cacheKey } of piiFields(event)) {
    if (!claimsEnvelope(value)) continue;
    const problem = envelopeProblem(value, viewOf(resolved, cacheKey));
    if (problem) return `${field} ${problem}`;
  }
  return undefined;
}

/**
 * The stored form of an event: `subject.pii` and `actor.ip` as envelopes. Envelopes ingest wrote
 * are kept as they are (the hash chain covers that ciphertext; check them first with
 * {@link envelopeProblems}); clear values (direct Kafka producers) are encrypted here. Returns the
 * event itself when it holds no clear PII.
 * @throws PiiKeyError when a clear value's key cannot be used by this process: the batch is retried
 *   until the right master key is configured; PII is never stored in clear.
 */
export function sealEventPii(event: ActionEvent, resolved: ResolvedSubjectKeys): Record<string, unknown> {
  let out = event as unknown as Record<string, unknown>;
  for (const { field, value, cacheKey } of piiFields(event)) {
    if (claimsEnvelope(value)) continue;
    const unopenable = resolved.unopenable.get(cacheKey);
    if (unopenable) throw unopenable.error;
    const key = resolved.keys.get(cacheKey);
    if (!key) throw new PiiKeyError(`no subject key resolved for ${field}`);
    const sealed = encryptPii(value, key);
    if (field === 'subject.pii') out = { ...out, subject: { ...event.subject, pii: sealed } };
    else out = { ...out, actor: { ...event.actor, ip: sealed } };
  }
  return out;
}

/**
 * The canonical JSON to store and hash for an accepted event: the JSON intake serialized when the
 * event holds no clear PII (the common case: ingest seals it before Kafka), else the sealed form's.
 */
export function storedEventJson(accepted: { event: ActionEvent; eventJson: string }, resolved: ResolvedSubjectKeys): string {
  const sealed = sealEventPii(accepted.event, resolved);
  return sealed === (accepted.event as unknown) ? accepted.eventJson : canonicalJson(sealed);
}
