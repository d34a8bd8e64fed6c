import { Injectable } from '@nestjs/common';
import { ApiKeyEntity, DataSource, type ApiKeyScope } from '@agent-ledger/persistence';
import { randomUUID } from 'node:crypto';
import { generateApiKey, hashApiKey } from './api-key';

export interface ActiveApiKey {
  keyId: string;
  tenantId: string;
  scopes: ApiKeyScope[];
}

export interface CreatedApiKey {
  keyId: string;
  tenantId: string;
  scopes: ApiKeyScope[];
  name: string | null;
  prefix: string;
  /** The raw key: returned once, never stored. */
  key: string;
  createdAt: Date;
}

export interface ApiKeySummary {
  keyId: string;
  tenantId: string;
  scopes: ApiKeyScope[];
  name: string | null;
  prefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

@Injectable()
export class ApiKeysRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The key with this raw value, if it exists and is not revoked. */
  async findActive(raw: string): Promise<ActiveApiKey | undefined> {
    return this.findActiveByHash(hashApiKey(raw));
  }

  /** The key whose SHA-256 digest this is, if it exists and is not revoked. */
  async findActiveByHash(keyHash: Buffer): Promise<ActiveApiKey | undefined> {
    const row = await this.dataSource.getRepository(ApiKeyEntity).findOne({ where: { keyHash } });
    if (!row || row.revokedAt) return undefined;
    return { keyId: row.id, tenantId: row.tenantId, scopes: row.scopes };
  }

  /** Creates a key; pass an EntityManager-bound data source to create it inside a transaction. */
  async create(tenantId: string, scopes: ApiKeyScope[], name: string | null, manager = this.dataSource.manager): Promise<CreatedApiKey> {
    const generated = generateApiKey(scopes.length === 1 ? scopes[0] : 'multi');
    const entity = manager.create(ApiKeyEntity, {
      id: randomUUID(),
      tenantId,
      keyHash: generated.hash,
      keyPrefix: generated.prefix,
      scopes,
      name,
      revokedAt: null,
    });
    const saved = await manager.save(ApiKeyEntity, entity);
    return { keyId: saved.id, tenantId, scopes, name, prefix: generated.prefix, key: generated.raw, createdAt: saved.createdAt };
  }

  async findById(keyId: string, manager = this.dataSource.manager): Promise<ApiKeySummary | undefined> {
    const row = await manager.getRepository(ApiKeyEntity).findOne({ where: { id: keyId } });
    return row ? toSummary(row) : undefined;
  }

  async listByTenant(tenantId: string): Promise<ApiKeySummary[]> {
    const rows = await this.dataSource.getRepository(ApiKeyEntity).find({ where: { tenantId }, order: { createdAt: 'ASC' } });
    return rows.map(toSummary);
  }

  /** Marks the key revoked (once); returns the key as it is now, or undefined if there is none. */
  async revoke(keyId: string, manager = this.dataSource.manager): Promise<{ before?: ApiKeySummary; after?: ApiKeySummary }> {
    const before = await manager.getRepository(ApiKeyEntity).findOne({ where: { id: keyId }, lock: { mode: 'pessimistic_write' } });
    if (!before) return {};
    await manager
      .createQueryBuilder()
      .update(ApiKeyEntity)
      .set({ revokedAt: () => 'now()' })
      .where('id = :keyId AND revoked_at IS NULL', { keyId })
      .execute();
    return { before: toSummary(before), after: await this.findById(keyId, manager) };
  }
}

function toSummary(row: ApiKeyEntity): ApiKeySummary {
  return { keyId: row.id, tenantId: row.tenantId, scopes: row.scopes, name: row.name, prefix: row.keyPrefix, createdAt: row.createdAt, revokedAt: row.revokedAt };
}
