import { API_KEY_SCOPES } from '@agent-ledger/persistence';
import { z } from 'zod';
import type { CreatedTenant, PublicKey } from './admin.service';

const instant = z.string().datetime();

/** An API key as the administration API shows it: never the key itself, only its prefix. */
export const publicKeySchema = z
  .object({
    keyId: z.string().uuid(),
    tenantId: z.string().uuid(),
    scopes: z.array(z.enum(API_KEY_SCOPES)).min(1),
    name: z.string().nullable(),
    prefix: z.string().min(1),
    createdAt: instant,
    revokedAt: instant.nullable().describe('When the key was revoked (null: valid)'),
  })
  .strict() satisfies z.ZodType<PublicKey>;

/** POST /v1/admin/tenants: the tenant and one raw key per scope, shown in this answer only. */
export const createdTenantSchema = z
  .object({
    tenantId: z.string().uuid(),
    name: z.string().min(1),
    createdAt: instant,
    apiKeys: z.object({ ingest: z.string().min(1), read: z.string().min(1), admin: z.string().min(1) }).strict().describe('The raw keys: shown once, stored only as hashes'),
    keys: z.array(publicKeySchema),
  })
  .strict() satisfies z.ZodType<CreatedTenant>;

export const tenantListSchema = z
  .object({ tenants: z.array(z.object({ tenantId: z.string().uuid(), name: z.string().min(1), createdAt: instant }).strict()) })
  .strict();

/** POST /v1/admin/tenants/:tenantId/keys: the key's summary and the raw key, shown in this answer only. */
export const createdKeySchema = publicKeySchema.extend({ key: z.string().min(1).describe('The raw key: shown once, stored only as a hash') }).strict();

export const keyListSchema = z.object({ keys: z.array(publicKeySchema) }).strict();
