import { z } from 'zod';
import { checkKeyPattern, checkPhoneRegion, checkValuePattern, FREE_TEXT_PII_MODES, REDACTION_LIMITS, type PatternCheck } from '@agent-ledger/contracts';

const checked = (check: (v: string) => PatternCheck) => (v: string, ctx: z.RefinementCtx) => {
  const result = check(v);
  if (!result.ok) ctx.addIssue({ code: z.ZodIssueCode.custom, message: result.message });
};

const noDuplicates = (name: string) => (list: string[], ctx: z.RefinementCtx) => {
  list.forEach((p, i) => {
    if (list.indexOf(p) !== i) ctx.addIssue({ code: z.ZodIssueCode.custom, message: `${name} holds "${p}" twice`, path: [i] });
  });
};

const keyPatterns = z
  .array(z.string({ invalid_type_error: 'a key pattern must be a string' }).superRefine(checked(checkKeyPattern)), { invalid_type_error: 'keyPatterns must be an array of strings' })
  .max(REDACTION_LIMITS.maxKeyPatterns, `keyPatterns holds at most ${REDACTION_LIMITS.maxKeyPatterns} patterns`)
  .superRefine(noDuplicates('keyPatterns'))
  .describe('Object keys whose values are redacted, in addition to the defaults (case, `-`, `_`, `.` and spaces ignored; substring match)');

const valuePatterns = z
  .array(z.string({ invalid_type_error: 'a value pattern must be a string' }).superRefine(checked(checkValuePattern)), { invalid_type_error: 'valuePatterns must be an array of strings' })
  .max(REDACTION_LIMITS.maxValuePatterns, `valuePatterns holds at most ${REDACTION_LIMITS.maxValuePatterns} patterns`)
  .superRefine(noDuplicates('valuePatterns'))
  .describe(`RE2 regular expressions (at most ${REDACTION_LIMITS.valuePatternMaxLength} characters; no backreferences or lookaround; must not match the empty string); a match inside a free-form string becomes [REDACTED:pattern]`);

/** PUT /v1/redaction: the fields to change; the others keep their value (or the default). */
export const putRedactionSchema = z
  .object({
    keyPatterns: keyPatterns.optional(),
    valuePatterns: valuePatterns.optional(),
    freeTextPii: z
      .enum(FREE_TEXT_PII_MODES, { errorMap: () => ({ message: `freeTextPii must be one of ${FREE_TEXT_PII_MODES.join(', ')}` }) })
      .describe('E-mail addresses and phone numbers in free text: off (kept), redact ([REDACTED:email]), encrypt (moved into subject.pii, sealed under the subject; redacted without subject.id)')
      .optional(),
    phoneRegion: z
      .string({ invalid_type_error: 'phoneRegion must be a string or null' })
      .superRefine(checked(checkPhoneRegion))
      .nullable()
      .describe('ISO 3166-1 alpha-2 region of phone numbers written without +country code (null: international numbers only)')
      .optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), { message: 'give at least one of keyPatterns, valuePatterns, freeTextPii, phoneRegion' });
export type PutRedactionDto = z.infer<typeof putRedactionSchema>;
