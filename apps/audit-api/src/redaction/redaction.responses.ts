import { FREE_TEXT_PII_MODES, REDACTION_LIMITS, type RedactionSettingsView } from '@agent-ledger/contracts';
import { z } from 'zod';

/** GET and PUT /v1/redaction: the tenant's settings (the defaults while it never changed them). */
export const redactionSettingsViewSchema = z
  .object({
    keyPatterns: z.array(z.string().min(1).max(REDACTION_LIMITS.keyPatternMaxLength)).max(REDACTION_LIMITS.maxKeyPatterns),
    valuePatterns: z.array(z.string().min(1).max(REDACTION_LIMITS.valuePatternMaxLength)).max(REDACTION_LIMITS.maxValuePatterns),
    freeTextPii: z.enum(FREE_TEXT_PII_MODES),
    phoneRegion: z.string().regex(/^[A-Z]{2}$/).nullable(),
    updatedAt: z.string().datetime().nullable(),
    default: z.boolean().describe('True while the tenant never changed its settings (the defaults apply)'),
  })
  .strict() satisfies z.ZodType<RedactionSettingsView>;
