import { randomBytes, randomUUID } from 'node:crypto';
import type { ActionEvent } from '@agent-ledger/contracts';
import { decryptPii, encryptEventPii, encryptPii, isPiiEnvelope, PiiKeyError, type DataKey, type PiiEnvelope } from '@agent-ledger/integrity';
import { SubjectKeyStore, type ResolvedSubjectKeys } from '@agent-ledger/persistence';
import { anActionEvent } from '@agent-ledger/testing';
import { envelopeProblems, sealEventPii as storedForm } from './pii-sealing';

/** What the projection does with one event: envelopes checked (poison), then the stored form. */
function sealEventPii(event: ActionEvent, resolved: ResolvedSubjectKeys): { ok: true; stored: Record<string, unknown> } | { ok: false; reason: string } {
  const reason = envelopeProblems(event, resolved);
  return reason ? { ok: false, reason } : { ok: true, stored: storedForm(event, resolved) };
}

describe('sealEventPii', () => {
  const tenantId = randomUUID();
  const key = (): DataKey => ({ keyId: randomUUID(), key: randomBytes(32) });
  const subjectKey = key();
  const actorKey = key();
  const otherKey = key();
  const event = anActionEvent(tenantId, { subject: { id: 'cust-1', pii: { email: 'jane@example.com' } }, actor: { type: 'user', id: 'u-1', ip: '198.51.100.7' } });
  const resolved = (erased: string[] = []): ResolvedSubjectKeys => ({
    keys: new Map([
      [SubjectKeyStore.keyOf(tenantId, 'cust-1'), subjectKey],
      [SubjectKeyStore.keyOf(tenantId, 'actor:u-1'), actorKey],
    ]),
    erased: new Set(erased.map((s) => SubjectKeyStore.keyOf(tenantId, s))),
    unopenable: new Map(),
    loaded: new Map(),
  });
  const stored = (r: ReturnType<typeof sealEventPii>) => {
    if (!r.ok) throw new Error(r.reason);
    return r.stored as { subject: { pii: PiiEnvelope }; actor: { ip: PiiEnvelope } };
  };

  it('should encrypt clear PII of a direct producer under the subject and actor keys', () => {
    const out = stored(sealEventPii(event, resolved()));
    expect(out.subject.pii.kid).toBe(subjectKey.keyId);
    expect(decryptPii(out.subject.pii, subjectKey.key)).toEqual({ email: 'jane@example.com' });
    expect(decryptPii(out.actor.ip, actorKey.key)).toBe('198.51.100.7');
  });

  it('should keep envelopes ingest wrote exactly as they are (the chain covers that ciphertext)', () => {
    const sealed = encryptEventPii(event, { subject: subjectKey, actor: actorKey }) as unknown as ActionEvent;
    const out = stored(sealEventPii(sealed, resolved()));
    expect(out.subject.pii).toEqual(sealed.subject!.pii);
    expect(out.actor.ip).toEqual(sealed.actor!.ip);
  });

  it("should refuse an envelope under another subject's key", () => {
    const planted = { ...event, subject: { id: 'cust-1', pii: encryptPii({ email: 'x' }, otherKey) } } as unknown as ActionEvent;
    expect(sealEventPii(planted, resolved())).toEqual({ ok: false, reason: "subject.pii is encrypted under a key that is not its subject's" });
  });

  it("should refuse an envelope naming the subject's key id that does not decrypt under it", () => {
    const forged = { ...encryptPii({ email: 'x' }, otherKey), kid: subjectKey.keyId };
    const r = sealEventPii({ ...event, subject: { id: 'cust-1', pii: forged } } as unknown as ActionEvent, resolved());
    expect(r).toEqual({ ok: false, reason: 'subject.pii does not decrypt under its subject key' });
  });

  it('should refuse a malformed envelope', () => {
    const r = sealEventPii({ ...event, subject: { id: 'cust-1', pii: { $enc: 'v1', kid: subjectKey.keyId } } } as unknown as ActionEvent, resolved());
    expect(r).toEqual({ ok: false, reason: 'subject.pii is a malformed PII envelope' });
  });

  it("should accept an erased subject's envelope under its erased key id without opening it", () => {
    const shredded = { ...encryptPii({ email: 'x' }, { keyId: subjectKey.keyId, key: randomBytes(32) }) };
    const out = stored(sealEventPii({ ...event, subject: { id: 'cust-1', pii: shredded } } as unknown as ActionEvent, resolved(['cust-1'])));
    expect(isPiiEnvelope(out.subject.pii)).toBe(true);
    expect(out.subject.pii).toEqual(shredded);
  });

  describe('when the subject key is wrapped under a master key this projector does not hold', () => {
    const unopenable = (): ResolvedSubjectKeys => {
      const r = resolved();
      const k = SubjectKeyStore.keyOf(tenantId, 'cust-1');
      r.keys.delete(k);
      r.unopenable.set(k, { keyId: subjectKey.keyId, error: new PiiKeyError('wrapped by another master key') });
      return r;
    };

    it("should keep an envelope naming the subject's key id without opening it", () => {
      const sealed = encryptEventPii(event, { subject: subjectKey, actor: actorKey }) as unknown as ActionEvent;
      expect(stored(sealEventPii(sealed, unopenable())).subject.pii).toEqual(sealed.subject!.pii);
    });

    it("should still refuse an envelope under another subject's key", () => {
      const planted = { ...event, subject: { id: 'cust-1', pii: encryptPii({ email: 'x' }, otherKey) } } as unknown as ActionEvent;
      expect(sealEventPii(planted, unopenable())).toMatchObject({ ok: false });
    });

    it('should fail (retry, never store in clear) for clear PII, but only when the event is to be stored', () => {
      expect(envelopeProblems(event, unopenable())).toBeUndefined();
      expect(() => storedForm(event, unopenable())).toThrow(PiiKeyError);
    });
  });

  it('should leave an event without PII as it is', () => {
    const plain = anActionEvent(tenantId, { subject: { id: 'cust-2' }, actor: { type: 'user', id: 'u-2' } });
    expect(stored(sealEventPii(plain, { keys: new Map(), erased: new Set(), unopenable: new Map(), loaded: new Map() }))).toEqual(plain);
  });
});
