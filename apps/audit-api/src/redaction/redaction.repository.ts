import { Injectable } from '@nestjs/common';
import type { RedactionSettings } from '@agent-ledger/contracts';
import { TenantDatabase, type EntityManager } from '@agent-ledger/persistence';

export interface RedactionRow extends RedactionSettings {
  updatedAt: Date;
}

const COLUMNS = `key_patterns AS "keyPatterns", value_patterns AS "valuePatterns", free_text_pii AS "freeTextPii", phone_region AS "phoneRegion", updated_at AS "updatedAt"`;

/** A tenant's redaction settings (`redaction_settings`), through the tenant's row-level-security scope. */
@Injectable()
export class RedactionRepository {
  constructor(private readonly db: TenantDatabase) {}

  transaction<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.run(tenantId, work);
  }

  async find(m: EntityManager, tenantId: string): Promise<RedactionRow | undefined> {
    const [row] = await m.query(`SELECT ${COLUMNS} FROM redaction_settings WHERE tenant_id = $1`, [tenantId]);
    return row;
  }

  /** The tenant's row, locked for the transaction (created with the defaults when absent). */
  async lock(m: EntityManager, tenantId: string): Promise<RedactionRow> {
    await m.query(`INSERT INTO redaction_settings (tenant_id) VALUES ($1) ON CONFLICT (tenant_id) DO NOTHING`, [tenantId]);
    const [row] = await m.query(`SELECT ${COLUMNS} FROM redaction_settings WHERE tenant_id = $1 FOR UPDATE`, [tenantId]);
    return row;
  }

  async update(m: EntityManager, tenantId: string, s: RedactionSettings): Promise<RedactionRow> {
    const [rows] = await m.query(
      `UPDATE redaction_settings SET key_patterns = $2, value_patterns = $3, free_text_pii = $4, phone_region = $5, updated_at = now() WHERE tenant_id = $1 RETURNING ${COLUMNS}`,
      [tenantId, s.keyPatterns, s.valuePatterns, s.freeTextPii, s.phoneRegion],
    );
    return rows[0];
  }
}
