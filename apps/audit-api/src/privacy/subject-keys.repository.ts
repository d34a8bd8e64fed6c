import { Injectable } from '@nestjs/common';
import { TenantDatabase, type EntityManager } from '@agent-ledger/persistence';

export interface SubjectKeyRow {
  subjectId: string;
  keyId: string;
  wrappedKey: Buffer | null;
  createdAt: Date;
  erasedAt: Date | null;
}

@Injectable()
export class SubjectKeysRepository {
  constructor(private readonly db: TenantDatabase) {}

  /** A transaction in the tenant's scope (row-level security). */
  transaction<T>(tenantId: string, work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.run(tenantId, work);
  }

  async findByKeyIds(tenantId: string, keyIds: string[]): Promise<SubjectKeyRow[]> {
    if (!keyIds.length) return [];
    return this.db.query<SubjectKeyRow>(
      tenantId,
      `SELECT subject_id AS "subjectId", key_id::text AS "keyId", wrapped_key AS "wrappedKey", created_at AS "createdAt", erased_at AS "erasedAt"
         FROM subject_keys WHERE tenant_id = $1 AND key_id = ANY($2::uuid[])`,
      [tenantId, keyIds],
    );
  }

  async findBySubjects(tenantId: string, subjectIds: string[], manager?: EntityManager, forUpdate = false): Promise<SubjectKeyRow[]> {
    if (!manager) return this.db.run(tenantId, (m) => this.findBySubjects(tenantId, subjectIds, m, forUpdate));
    return manager.query(
      `SELECT subject_id AS "subjectId", key_id::text AS "keyId", wrapped_key AS "wrappedKey", created_at AS "createdAt", erased_at AS "erasedAt"
         FROM subject_keys WHERE tenant_id = $1 AND subject_id = ANY($2::text[]) ORDER BY subject_id${forUpdate ? ' FOR UPDATE' : ''}`,
      [tenantId, subjectIds],
    );
  }

  /**
   * Crypto-shreds the keys: deletes the wrapped key, keeps the row (its key id, so readers can say
   * "erased", and so new PII of the subject is never given a readable key again).
   */
  async erase(manager: EntityManager, tenantId: string, subjectIds: string[]): Promise<number> {
    const result: [unknown[], number] = await manager.query(
      `UPDATE subject_keys SET wrapped_key = NULL, erased_at = now() WHERE tenant_id = $1 AND subject_id = ANY($2::text[]) AND wrapped_key IS NOT NULL`,
      [tenantId, subjectIds],
    );
    return result[1];
  }

  /** Records an erasure for a subject that has no key yet, so PII arriving later is shredded on arrival. */
  async tombstone(manager: EntityManager, tenantId: string, subjectId: string): Promise<void> {
    await manager.query(
      `INSERT INTO subject_keys (tenant_id, subject_id, key_id, wrapped_key, erased_at) VALUES ($1, $2, gen_random_uuid(), NULL, now()) ON CONFLICT (tenant_id, subject_id) DO NOTHING`,
      [tenantId, subjectId],
    );
  }
}
