import { API_KEY_SCOPES } from '@agent-ledger/persistence';
import { z } from 'zod';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const createTenantSchema = z
  .object({
    name: z
      .string({ required_error: 'name is required', invalid_type_error: 'name must be a string' })
      .trim()
      .min(1, 'name must not be empty')
      .max(200, 'name must be at most 200 characters')
      .regex(/^[\p{L}\p{N}][\p{L}\p{N} ._-]*$/u, 'name may contain letters, digits, spaces, ".", "_" and "-", and must start with a letter or digit'),
  })
  .strict();
export type CreateTenantDto = z.infer<typeof createTenantSchema>;

export const createKeySchema = z
  .object({
    scopes: z
      .array(z.enum(API_KEY_SCOPES, { errorMap: () => ({ message: `each scope must be one of ${API_KEY_SCOPES.join(', ')}` }) }), {
        required_error: 'scopes is required',
        invalid_type_error: 'scopes must be an array',
      })
      .min(1, 'at least one scope is required')
      .max(API_KEY_SCOPES.length)
      .refine((s) => new Set(s).size === s.length, 'scopes must not repeat')
      .refine((s) => !s.includes('pii') || s.includes('read') || s.includes('admin'), 'pii adds PII in clear to reading: combine it with read or admin'),
    name: z.string().trim().min(1).max(200).optional(),
  })
  .strict();
export type CreateKeyDto = z.infer<typeof createKeySchema>;

export const tenantIdParam = z.object({ tenantId: z.string().regex(UUID, 'tenantId must be a UUID') });
export const keyIdParam = z.object({ keyId: z.string().regex(UUID, 'keyId must be a UUID') });
