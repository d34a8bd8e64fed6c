import { findPhoneNumbersInText, type CountryCode } from 'libphonenumber-js';
import LinkifyIt from 'linkify-it';
import { RE2JS } from 're2js';
import type { ActionEventInput } from './action-event';
import type { FreeTextPiiMode, RedactionSettings } from './redaction-settings';
import { escapePointerToken } from './validation-result';

export type FreeTextPiiKind = 'email' | 'phone' | 'pattern';

/** Where one span of sensitive text sits in a string. */
export interface FreeTextSpan {
  start: number;
  end: number;
  kind: FreeTextPiiKind;
}

/** A value moved out of free text into `subject.pii` under `encrypt`. */
export interface FreeTextFinding {
  /** JSON pointer (relative to the event) of the string it was found in. */
  path: string;
  kind: Exclude<FreeTextPiiKind, 'pattern'>;
  value: string;
}

/** The key of `subject.pii` that holds what was moved out of free text (docs/privacy.md). */
export const FREE_TEXT_PII_KEY = '$freeText';

/** Marker of a redacted span, e.g. `[REDACTED:email]`. */
export const redactedMarker = (kind: FreeTextPiiKind): string => `[REDACTED:${kind}]`;
/** Marker of a span moved into `subject.pii` (encrypted), e.g. `[PII:email]`. */
export const sealedMarker = (kind: FreeTextPiiKind): string => `[PII:${kind}]`;

// E-mail addresses only: linkify-it's fuzzy e-mail recognition (RFC 5321 local part, a host with a
// known or two-letter top-level domain); links are not looked for.
const emails = new LinkifyIt({ 'http:': null, 'https:': null, 'ftp:': null, '//': null }, { fuzzyLink: false, fuzzyIP: false, fuzzyEmail: true });

/** The tenant's settings made ready to apply (value patterns compiled once per cache load). */
export class FreeTextScanner {
  private readonly patterns: RE2JS[];

  constructor(private readonly settings: Pick<RedactionSettings, 'valuePatterns' | 'freeTextPii' | 'phoneRegion'>) {
    this.patterns = settings.valuePatterns.map((p) => RE2JS.compile(p));
  }

  get mode(): FreeTextPiiMode {
    return this.settings.freeTextPii;
  }

  /** True when nothing would ever be changed (mode off, no value patterns). */
  get inert(): boolean {
    return this.settings.freeTextPii === 'off' && this.patterns.length === 0;
  }

  /** The spans to replace in `text`, in order and without overlap (a value pattern wins, then an e-mail address). */
  spans(text: string): FreeTextSpan[] {
    const found: FreeTextSpan[] = [];
    for (const re of this.patterns) {
      const m = re.matcher(text);
      while (m.find()) if (m.end() > m.start()) found.push({ start: m.start(), end: m.end(), kind: 'pattern' });
    }
    if (this.settings.freeTextPii !== 'off' && text.length >= 3) {
      if (text.includes('@')) {
        for (const m of emails.match(text) ?? []) {
          if (m.schema !== 'mailto:') continue;
          const start = m.raw.toLowerCase().startsWith('mailto:') ? m.index + 7 : m.index;
          found.push({ start, end: m.lastIndex, kind: 'email' });
        }
      }
      if (hasPhoneCandidate(text)) {
        const region = (this.settings.phoneRegion ?? undefined) as CountryCode | undefined;
        for (const m of findPhoneNumbersInText(text, region)) found.push({ start: m.startsAt, end: m.endsAt, kind: 'phone' });
      }
    }
    const rank: Record<FreeTextPiiKind, number> = { pattern: 0, email: 1, phone: 2 };
    found.sort((a, b) => a.start - b.start || rank[a.kind] - rank[b.kind] || b.end - a.end);
    const kept: FreeTextSpan[] = [];
    for (const s of found) {
      const last = kept[kept.length - 1];
      if (!last || s.start >= last.end) kept.push(s);
      else if (rank[s.kind] < rank[last.kind]) kept[kept.length - 1] = { ...s, start: Math.min(s.start, last.start), end: Math.max(s.end, last.end) };
      else if (s.end > last.end) last.end = s.end;
    }
    return kept;
  }
}

/** A run of digits and the separators phone numbers are written with (no letters). */
const DIGIT_RUN = /[+(]?\d[\d ()\-./\u00a0]*\d/g;

/**
 * Whether `text` holds a run of at least 7 digits written with phone separators: what any number
 * libphonenumber-js finds in text has (country code included). Text without one, most prose and many
 * logs, skips the detector, whose cost grows with the digits in the text (docs/privacy.md).
 */
export function hasPhoneCandidate(text: string): boolean {
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(text); m; m = DIGIT_RUN.exec(text)) {
    let digits = 0;
    for (let i = 0; i < m[0].length && digits < 7; i++) if (m[0].charCodeAt(i) >= 48 && m[0].charCodeAt(i) <= 57) digits++;
    if (digits >= 7) return true;
  }
  return false;
}

export interface ScrubbedEvent<T> {
  event: T;
  /** Pointers of the strings that were changed. */
  changedPaths: string[];
  /** What moved into `subject.pii` (encrypt mode with a subject). */
  sealed: FreeTextFinding[];
}

/**
 * Replaces e-mail addresses, phone numbers and the tenant's value patterns inside the string values
 * of `input`, `output`, `error.message`, `error.details` and `message.content`. Under `encrypt`,
 * with a `subject.id`, e-mail addresses and phone numbers become `[PII:<kind>]` and are appended to
 * `subject.pii["$freeText"]` (which ingest then encrypts under the subject's key); otherwise they
 * become `[REDACTED:<kind>]`. Value pattern matches are always `[REDACTED:pattern]`. Object keys are
 * not scanned. `event` is never mutated.
 */
export function scrubFreeText<T extends ActionEventInput>(event: T, scanner: FreeTextScanner): ScrubbedEvent<T> {
  if (scanner.inert) return { event, changedPaths: [], sealed: [] };
  const seal = scanner.mode === 'encrypt' && typeof event.subject?.id === 'string';
  const changedPaths: string[] = [];
  const sealed: FreeTextFinding[] = [];

  const scrubString = (text: string, path: string): string => {
    const spans = scanner.spans(text);
    if (!spans.length) return text;
    changedPaths.push(path);
    let out = '';
    let cursor = 0;
    for (const s of spans) {
      const sealable = seal && s.kind !== 'pattern';
      out += text.slice(cursor, s.start) + (sealable ? sealedMarker(s.kind) : redactedMarker(s.kind));
      if (sealable) sealed.push({ path, kind: s.kind as FreeTextFinding['kind'], value: text.slice(s.start, s.end) });
      cursor = s.end;
    }
    return out + text.slice(cursor);
  };
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') return scrubString(node, path);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}/${i}`));
    if (node === null || typeof node !== 'object') return node;
    const copy: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const next = walk(child, `${path}/${escapePointerToken(key)}`);
      if (key === '__proto__') Object.defineProperty(copy, key, { value: next, enumerable: true, writable: true, configurable: true });
      else copy[key] = next;
    }
    return copy;
  };

  const out = { ...event } as T & { message?: unknown };
  if (out.input !== undefined) out.input = walk(out.input, '/input') as T['input'];
  if (out.output !== undefined) out.output = walk(out.output, '/output') as T['output'];
  if (out.error) {
    const error = { ...out.error, message: scrubString(out.error.message, '/error/message') };
    if (error.details !== undefined) error.details = walk(error.details, '/error/details') as Record<string, unknown>;
    out.error = error;
  }
  const message = out.message;
  if (message && typeof message === 'object' && !Array.isArray(message) && typeof (message as { content?: unknown }).content === 'string') {
    out.message = { ...message, content: scrubString((message as { content: string }).content, '/message/content') };
  }
  if (sealed.length && out.subject) {
    const pii = out.subject.pii ?? {};
    const previous = Array.isArray(pii[FREE_TEXT_PII_KEY]) ? (pii[FREE_TEXT_PII_KEY] as unknown[]) : [];
    out.subject = { ...out.subject, pii: { ...pii, [FREE_TEXT_PII_KEY]: [...previous, ...sealed] } };
  }
  return { event: out, changedPaths, sealed };
}
