import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { ApiKeyAuthenticator, ApiKeysRepository, type ApiKeySummary, type CreatedApiKey } from '@agent-ledger/auth';
import { ApiError } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import type { CreateKeyDto, CreateTenantDto } from './admin.dto';
import { TenantsRepository } from './tenants.repository';

export interface CreatedTenant {
  tenantId: string;
  name: string;
  createdAt: string;
  /** Raw keys: shown once, stored only as hashes. */
  apiKeys: { ingest: string; read: string; admin: string };
  keys: PublicKey[];
}

export interface PublicKey {
  keyId: string;
  tenantId: string;
  scopes: string[];
  name: string | null;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

const UNIQUE_VIOLATION = '23505';

@Injectable()
export class AdminService {
  private readonly log = createLogger(AdminService.name);

  constructor(
    private readonly tenants: TenantsRepository,
    private readonly keys: ApiKeysRepository,
    private readonly authenticator: ApiKeyAuthenticator,
    private readonly changes: ChangeRecorder,
  ) {}

  /** A tenant with one key per scope, in one transaction. */
  async createTenant(dto: CreateTenantDto, ctx: ChangeContext): Promise<CreatedTenant> {
    try {
      const out = await this.tenants.transaction(async (manager) => {
        if (await this.tenants.findByName(dto.name, manager)) throw tenantExists(dto.name);
        const tenant = await this.tenants.insert(manager, { id: randomUUID(), name: dto.name });
        const ingest = await this.keys.create(tenant.id, ['ingest'], 'ingest', manager);
        const read = await this.keys.create(tenant.id, ['read'], 'read', manager);
        const admin = await this.keys.create(tenant.id, ['admin'], 'admin', manager);
        const created = [ingest, read, admin];
        await this.changes.record(manager, ctx, {
          tenantId: tenant.id,
          resource: { type: 'tenant', id: tenant.id },
          action: 'tenant.created',
          before: null,
          after: { tenantId: tenant.id, name: tenant.name, keys: created.map(describeKey) },
        });
        return { tenant, created };
      });
      this.changes.flushSoon();
      const [ingest, read, admin] = out.created;
      this.log.info({ tenantId: out.tenant.id, name: out.tenant.name }, 'tenant created');
      return {
        tenantId: out.tenant.id,
        name: out.tenant.name,
        createdAt: out.tenant.createdAt.toISOString(),
        apiKeys: { ingest: ingest.key, read: read.key, admin: admin.key },
        keys: out.created.map(toPublic),
      };
    } catch (err) {
      // Two concurrent creations of the same name: the unique index decides.
      if ((err as { code?: string }).code === UNIQUE_VIOLATION) throw tenantExists(dto.name);
      throw err;
    }
  }

  async listTenants(): Promise<{ tenants: { tenantId: string; name: string; createdAt: string }[] }> {
    const rows = await this.tenants.list();
    return { tenants: rows.map((t) => ({ tenantId: t.id, name: t.name, createdAt: t.createdAt.toISOString() })) };
  }

  async createKey(tenantId: string, dto: CreateKeyDto, ctx: ChangeContext): Promise<PublicKey & { key: string }> {
    await this.requireTenant(tenantId);
    const created = await this.tenants.transaction(async (manager) => {
      const key = await this.keys.create(tenantId, dto.scopes, dto.name ?? null, manager);
      await this.changes.record(manager, ctx, { tenantId, resource: { type: 'api_key', id: key.keyId }, action: 'api_key.created', before: null, after: describeKey(key) });
      return key;
    });
    this.changes.flushSoon();
    this.log.info({ tenantId, keyId: created.keyId, scopes: created.scopes }, 'api key created');
    return { ...toPublic(created), key: created.key };
  }

  async listKeys(tenantId: string): Promise<{ keys: PublicKey[] }> {
    await this.requireTenant(tenantId);
    return { keys: (await this.keys.listByTenant(tenantId)).map(toPublic) };
  }

  /** Revokes a key at once in every service (idempotent: revoking a revoked key answers the same). */
  async revokeKey(keyId: string, ctx: ChangeContext): Promise<PublicKey> {
    const key = await this.tenants.transaction(async (manager) => {
      const { before, after } = await this.keys.revoke(keyId, manager);
      if (!before || !after) throw ApiError.notFound('key_not_found', `no API key ${keyId}`, 'keyId');
      if (!before.revokedAt) {
        await this.changes.record(manager, ctx, { tenantId: after.tenantId, resource: { type: 'api_key', id: keyId }, action: 'api_key.revoked', before: describeKey(before), after: describeKey(after) });
      }
      return after;
    });
    this.changes.flushSoon();
    await this.authenticator.announceRevoked(keyId);
    this.log.info({ tenantId: key.tenantId, keyId }, 'api key revoked');
    return toPublic(key);
  }

  private async requireTenant(tenantId: string): Promise<void> {
    if (!(await this.tenants.findById(tenantId))) throw ApiError.notFound('tenant_not_found', `no tenant ${tenantId}`, 'tenantId');
  }
}

function tenantExists(name: string): ApiError {
  return ApiError.conflict('tenant_exists', `a tenant named "${name}" already exists`, '/name');
}

/** A key as the change log records it: never the key itself. */
function describeKey(k: ApiKeySummary | CreatedApiKey): Record<string, unknown> {
  return { keyId: k.keyId, scopes: k.scopes, name: k.name, prefix: k.prefix, revokedAt: 'revokedAt' in k && k.revokedAt ? k.revokedAt.toISOString() : null };
}

function toPublic(k: ApiKeySummary | CreatedApiKey): PublicKey {
  return {
    keyId: k.keyId,
    tenantId: k.tenantId,
    scopes: k.scopes,
    name: k.name,
    prefix: k.prefix,
    createdAt: k.createdAt.toISOString(),
    revokedAt: 'revokedAt' in k && k.revokedAt ? k.revokedAt.toISOString() : null,
  };
}
