import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { RE2JS } from 're2js';

/**
 * What ingest does with e-mail addresses and phone numbers found in free-form text
 * (docs/privacy.md#free-form-pii):
 * - `off`: kept as sent;
 * - `redact`: replaced by `[REDACTED:email]` / `[REDACTED:phone]`;
 * - `encrypt`: replaced by `[PII:email]` / `[PII:phone]` and the values moved into `subject.pii`
 *   (encrypted under the subject's key, erased with it); an event without `subject.id` is redacted.
 */
export const FREE_TEXT_PII_MODES = ['off', 'redact', 'encrypt'] as const;
export type FreeTextPiiMode = (typeof FREE_TEXT_PII_MODES)[number];

/** Bounds of a tenant's redaction settings (PUT /v1/redaction). */
export const REDACTION_LIMITS = {
  maxKeyPatterns: 50,
  keyPatternMaxLength: 64,
  maxValuePatterns: 20,
  valuePatternMaxLength: 200,
} as const;

/** A tenant's redaction settings, as stored and as ingest applies them. */
export interface RedactionSettings {
  /** Key patterns redacted in addition to {@link DEFAULT_REDACTION_PATTERNS} (normalized substring match). */
  keyPatterns: string[];
  /** RE2 regular expressions; a match inside a string value of a free-form field becomes `[REDACTED:pattern]`. */
  valuePatterns: string[];
  freeTextPii: FreeTextPiiMode;
  /** ISO 3166-1 alpha-2 region for phone numbers written without `+country code` (null: only international numbers). */
  phoneRegion: string | null;
}

/** GET/PUT /v1/redaction answer. */
export interface RedactionSettingsView extends RedactionSettings {
  updatedAt: string | null;
  /** True while the tenant never changed its settings (the defaults apply). */
  default: boolean;
}

export const DEFAULT_REDACTION_SETTINGS: Readonly<RedactionSettings> = Object.freeze({ keyPatterns: [], valuePatterns: [], freeTextPii: 'off', phoneRegion: null });

export type PatternCheck = { ok: true } | { ok: false; message: string };

/**
 * A value pattern is accepted when RE2 compiles it (linear-time matching: no backreferences, no
 * lookaround, so no catastrophic backtracking whatever the input), it fits the length limit and it
 * cannot match the empty string (which would mark every position of every string).
 */
export function checkValuePattern(pattern: string): PatternCheck {
  if (pattern.length === 0) return { ok: false, message: 'a value pattern must not be empty' };
  if (pattern.length > REDACTION_LIMITS.valuePatternMaxLength) return { ok: false, message: `a value pattern holds at most ${REDACTION_LIMITS.valuePatternMaxLength} characters` };
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(pattern);
  } catch (err) {
    return { ok: false, message: `not a regular expression RE2 accepts (${(err as Error).message}); backreferences and lookaround are not supported` };
  }
  if (compiled.matcher('').find()) return { ok: false, message: 'a value pattern must not match the empty string' };
  return { ok: true };
}

/** A key pattern: letters, digits and the separators `-`, `_`, `.`, space (they are ignored when matching). */
export function checkKeyPattern(pattern: string): PatternCheck {
  if (pattern.length > REDACTION_LIMITS.keyPatternMaxLength) return { ok: false, message: `a key pattern holds at most ${REDACTION_LIMITS.keyPatternMaxLength} characters` };
  if (!/^[\p{L}\p{N}_. -]+$/u.test(pattern) || !/[\p{L}\p{N}]/u.test(pattern)) {
    return { ok: false, message: 'a key pattern holds letters and digits (and the separators - _ . and space, which are ignored)' };
  }
  return { ok: true };
}

export function checkPhoneRegion(region: string): PatternCheck {
  return /^[A-Z]{2}$/.test(region) && isSupportedCountry(region as CountryCode) ? { ok: true } : { ok: false, message: 'phoneRegion must be an ISO 3166-1 alpha-2 region code with a phone numbering plan, e.g. US, GB, FR' };
}
