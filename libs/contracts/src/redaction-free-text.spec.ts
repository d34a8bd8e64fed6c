import type { ActionEventInput } from './action-event';
import { FREE_TEXT_PII_KEY, FreeTextScanner, hasPhoneCandidate, scrubFreeText } from './redaction-free-text';
import { checkKeyPattern, checkPhoneRegion, checkValuePattern, type FreeTextPiiMode } from './redaction-settings';

const scanner = (freeTextPii: FreeTextPiiMode, extra: { valuePatterns?: string[]; phoneRegion?: string | null } = {}) =>
  new FreeTextScanner({ freeTextPii, valuePatterns: extra.valuePatterns ?? [], phoneRegion: extra.phoneRegion ?? null });

const event = (over: Partial<ActionEventInput> = {}): ActionEventInput => ({
  type: 'action.executed',
  actionId: 'a-1',
  tool: { name: 'crm.update', riskLevel: 'safe' },
  input: { note: 'write to jane.doe@example.com today', nested: [{ cc: 'ops@example.org' }], count: 4155552671 },
  output: { reply: 'called +1 415 555 2671 at noon' },
  ...over,
});

describe(FreeTextScanner.name, () => {
  it('should find e-mail addresses and international phone numbers at their positions when the mode is not off', () => {
    const text = 'mail a.b+c@mail.example.co.uk or ring +44 20 7946 0958.';
    const spans = scanner('redact').spans(text);
    expect(spans.map((s) => [s.kind, text.slice(s.start, s.end)])).toEqual([
      ['email', 'a.b+c@mail.example.co.uk'],
      ['phone', '+44 20 7946 0958'],
    ]);
  });

  it('should find national phone numbers only when a phone region is set', () => {
    const text = 'call (415) 555-2671 now';
    expect(scanner('redact').spans(text)).toEqual([]);
    const spans = scanner('redact', { phoneRegion: 'US' }).spans(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['(415) 555-2671']);
  });

  it('should leave timestamps, UUIDs, versions and host names without a mailbox alone', () => {
    const s = scanner('redact', { phoneRegion: 'US' });
    for (const text of ['at 2026-12-05T00:12:13Z', 'id 3f2a9c1e-1234-4abc-9def-0123456789ab', 'v1.2.3 build 20261205', 'user@localhost', 'price 1234567.89']) {
      expect({ text, spans: s.spans(text) }).toEqual({ text, spans: [] });
    }
  });

  it('should find value pattern matches even when the mode is off', () => {
    const text = 'employee EMP-123456 and EMP-654321';
    const spans = scanner('off', { valuePatterns: ['EMP-[0-9]{6}'] }).spans(text);
    expect(spans.map((s) => text.slice(s.start, s.end))).toEqual(['EMP-123456', 'EMP-654321']);
  });
});

describe(hasPhoneCandidate.name, () => {
  it('should see a candidate only where 7 digits are written together with phone separators', () => {
    for (const yes of ['+1 415 555 2671', '(415) 555-2671', '020.7946.0958', 'x 1234567 y']) expect({ yes, found: hasPhoneCandidate(yes) }).toEqual({ yes, found: true });
    for (const no of ['+1 '.repeat(1000), 'order 48213 qty 3', '12:34:56 12:34', 'a1b2c3d4e5f6g7h8', '']) expect({ no, found: hasPhoneCandidate(no) }).toEqual({ no, found: false });
  });
});

describe(scrubFreeText.name, () => {
  it('should replace e-mail addresses and phone numbers by [REDACTED:kind] under redact', () => {
    const input = event();
    const { event: out, changedPaths, sealed } = scrubFreeText(input, scanner('redact'));
    expect(out.input).toEqual({ note: 'write to [REDACTED:email] today', nested: [{ cc: '[REDACTED:email]' }], count: 4155552671 });
    expect(out.output).toEqual({ reply: 'called [REDACTED:phone] at noon' });
    expect(changedPaths).toEqual(['/input/note', '/input/nested/0/cc', '/output/reply']);
    expect(sealed).toEqual([]);
    expect(input.input!.note).toBe('write to jane.doe@example.com today');
  });

  it('should move the values into subject.pii under encrypt when the event names a subject', () => {
    const { event: out, sealed } = scrubFreeText(event({ subject: { id: 'cust-1', pii: { name: 'Jane' } } }), scanner('encrypt'));
    expect(out.input!.note).toBe('write to [PII:email] today');
    expect(out.output!.reply).toBe('called [PII:phone] at noon');
    const expected = [
      { path: '/input/note', kind: 'email', value: 'jane.doe@example.com' },
      { path: '/input/nested/0/cc', kind: 'email', value: 'ops@example.org' },
      { path: '/output/reply', kind: 'phone', value: '+1 415 555 2671' },
    ];
    expect(sealed).toEqual(expected);
    expect(out.subject).toEqual({ id: 'cust-1', pii: { name: 'Jane', [FREE_TEXT_PII_KEY]: expected } });
  });

  it('should redact under encrypt when the event names no subject', () => {
    const { event: out, sealed } = scrubFreeText(event(), scanner('encrypt'));
    expect(out.input!.note).toBe('write to [REDACTED:email] today');
    expect(sealed).toEqual([]);
    expect(out.subject).toBeUndefined();
  });

  it('should scan error.message, error.details and message.content but not error.code', () => {
    const input = {
      ...event({ type: 'action.failed', error: { message: 'bounce from x@example.net', code: 'E_MAIL', details: { to: 'y@example.net' } } }),
      message: { role: 'user', content: 'I am z@example.com' },
    } as ActionEventInput;
    const { event: out } = scrubFreeText(input, scanner('redact'));
    expect(out.error).toEqual({ message: 'bounce from [REDACTED:email]', code: 'E_MAIL', details: { to: '[REDACTED:email]' } });
    expect((out as unknown as { message: unknown }).message).toEqual({ role: 'user', content: 'I am [REDACTED:email]' });
  });

  it('should return the event itself when the mode is off and there are no value patterns', () => {
    const input = event();
    expect(scrubFreeText(input, scanner('off')).event).toBe(input);
  });
});

describe('redaction settings checks', () => {
  it('should refuse value patterns RE2 cannot run in linear time, empty matches and overlong patterns', () => {
    expect(checkValuePattern('EMP-[0-9]{6}')).toEqual({ ok: true });
    expect(checkValuePattern('(a+)+$')).toEqual({ ok: true }); // RE2 runs it in linear time
    for (const bad of ['(a)\\1', '(?=x)y', 'a(', 'x*', '', 'a'.repeat(201)]) expect({ bad, ok: checkValuePattern(bad).ok }).toEqual({ bad, ok: false });
  });

  it('should accept key patterns of letters, digits and separators only', () => {
    expect(checkKeyPattern('iban')).toEqual({ ok: true });
    expect(checkKeyPattern('x-api_key.2')).toEqual({ ok: true });
    for (const bad of ['', '--', 'a*b', 'x'.repeat(65)]) expect({ bad, ok: checkKeyPattern(bad).ok }).toEqual({ bad, ok: false });
  });

  it('should accept phone regions with a numbering plan only', () => {
    expect(checkPhoneRegion('US')).toEqual({ ok: true });
    for (const bad of ['us', 'XX', 'USA']) expect({ bad, ok: checkPhoneRegion(bad).ok }).toEqual({ bad, ok: false });
  });
});
