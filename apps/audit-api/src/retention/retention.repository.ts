import { Injectable } from '@nestjs/common';
import { TenantDatabase, type EntityManager } from '@agent-ledger/persistence';

export interface PolicyRow {
  retainFor: string;
  archive: boolean;
  legalHold: boolean;
  updatedAt: Date;
}

export interface PolicyWrite {
  retainFor: string;
  archive: boolean;
  legalHold: boolean;
}

/** Where a purge's events were archived, as the retention worker writes it. */
export interface ArchiveRef {
  location: string;
  object: string;
  manifest: string;
  sha256: string;
  bytes: number;
}

export interface PurgeRow {
  purgeId: string;
  ordinal: number;
  state: 'planned' | 'archived' | 'recorded' | 'purged';
  events: string;
  horizon: Date;
  recordedFrom: Date | null;
  recordedTo: Date | null;
  createdAt: Date;
  purgedAt: Date | null;
  archive: Partial<ArchiveRef> | null;
}

const POLICY_COLUMNS = `retain_for AS "retainFor", archive, legal_hold AS "legalHold", updated_at AS "updatedAt"`;

/** A tenant's retention policy and purges, through the tenant's row-level-security scope. */
@Injectable()
export class RetentionRepository {
  constructor(private readonly db: TenantDatabase) {}

  transaction<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.run(tenantId, work);
  }

  /** Every statement of `work` sees the same snapshot (the policy, the horizon and the purges agree). */
  snapshot<T>(tenantId: string, work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.db.snapshot(tenantId, work);
  }

  async policy(m: EntityManager, tenantId: string, lock = false): Promise<PolicyRow | undefined> {
    const [row] = await m.query(`SELECT ${POLICY_COLUMNS} FROM retention_policies WHERE tenant_id = $1${lock ? ' FOR UPDATE' : ''}`, [tenantId]);
    return row;
  }

  /** Creates the tenant's policy unless one exists (then undefined: another request created it first). */
  async insertPolicy(m: EntityManager, tenantId: string, p: PolicyWrite): Promise<PolicyRow | undefined> {
    const [row] = await m.query(
      `INSERT INTO retention_policies (tenant_id, retain_for, archive, legal_hold, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (tenant_id) DO NOTHING RETURNING ${POLICY_COLUMNS}`,
      [tenantId, p.retainFor, p.archive, p.legalHold],
    );
    return row;
  }

  async updatePolicy(m: EntityManager, tenantId: string, p: PolicyWrite): Promise<PolicyRow> {
    const [rows] = await m.query(
      `UPDATE retention_policies SET retain_for = $2, archive = $3, legal_hold = $4, updated_at = now() WHERE tenant_id = $1 RETURNING ${POLICY_COLUMNS}`,
      [tenantId, p.retainFor, p.archive, p.legalHold],
    );
    return rows[0];
  }

  /** The end of the newest purged period (null when nothing was ever purged): one indexed read. */
  async horizon(m: EntityManager, tenantId: string): Promise<Date | null> {
    const [row] = await m.query(`SELECT max(recorded_to) AS horizon FROM retention_purges WHERE tenant_id = $1 AND state = 'purged'`, [tenantId]);
    return row?.horizon ?? null;
  }

  /** The newest purges first. */
  async purges(m: EntityManager, tenantId: string, limit: number): Promise<PurgeRow[]> {
    return m.query(
      `SELECT purge_id::text AS "purgeId", ordinal, state, events::text AS events, horizon, recorded_from AS "recordedFrom", recorded_to AS "recordedTo",
              created_at AS "createdAt", purged_at AS "purgedAt", archive
         FROM retention_purges WHERE tenant_id = $1 ORDER BY ordinal DESC LIMIT $2`,
      [tenantId, limit],
    );
  }

  /** The archives of purged periods that end after `from`, oldest first. */
  async archivesAfter(m: EntityManager, tenantId: string, from: Date, limit: number): Promise<Partial<ArchiveRef>[]> {
    const rows: { archive: Partial<ArchiveRef> }[] = await m.query(
      `SELECT archive FROM retention_purges
        WHERE tenant_id = $1 AND state = 'purged' AND archive IS NOT NULL AND (recorded_to IS NULL OR recorded_to > $2)
        ORDER BY ordinal LIMIT $3`,
      [tenantId, from, limit],
    );
    return rows.map((r) => r.archive);
  }
}
