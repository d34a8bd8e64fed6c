import { DataSource, type DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from './entities/api-key.entity';
import { TenantEntity } from './entities/tenant.entity';
import { InitialSchema1732300000000 } from './migrations/1732300000000-initial-schema';
import { ActionProjectionState1732300000200 } from './migrations/1732300000200-action-projection-state';
import { ActionSeq1732300000310 } from './migrations/1732300000310-action-seq';
import { ChangeOutbox1732300000400 } from './migrations/1732300000400-change-outbox';
import { Notifications1732300000600 } from './migrations/1732300000600-notifications';
import { Escalations1732300000500 } from './migrations/1732300000500-escalations';
import { TenantRowLevelSecurity1732300000700 } from './migrations/1732300000700-tenant-row-level-security';
import { ActionToolStatusIndex1732300000800 } from './migrations/1732300000800-action-tool-status-index';
import { ActionStatsIndex1732300000900 } from './migrations/1732300000900-action-stats-index';
import { DeadLetters1732300001000 } from './migrations/1732300001000-dead-letters';
import { DeadLetterIdentity1732300001100 } from './migrations/1732300001100-dead-letter-identity';
import { RuntimeRoles1732300001200 } from './migrations/1732300001200-runtime-roles';
import { PiiScope1732300001300 } from './migrations/1732300001300-pii-scope';
import { ChangeLogIpKeys1732300001310 } from './migrations/1732300001310-change-log-ip-keys';
import { AuditEventsRecordingOrderIndex1732300001600 } from './migrations/1732300001600-audit-events-recording-order-index';
import { Retention1732300001700 } from './migrations/1732300001700-retention';
import { ReportsAndStats1732300001800 } from './migrations/1732300001800-reports-and-stats';
import { RuntimeGrants1732300001210 } from './migrations/1732300001210-runtime-grants';
import { EventModelFilters1732300001900 } from './migrations/1732300001900-event-model-filters';
import { RedactionSettings1732300002000 } from './migrations/1732300002000-redaction-settings';
import { DropAuditEventsEventIndex1732300002100 } from './migrations/1732300002100-drop-audit-events-event-index';
import { StatsRollups1732300002200 } from './migrations/1732300002200-stats-rollups';
import { StatsEdgeIndex1732300002210 } from './migrations/1732300002210-stats-edge-index';
import { ActionAnomalyFindings1732300002300 } from './migrations/1732300002300-action-anomaly-findings';
import { ActionAnomalyIndex1732300002301 } from './migrations/1732300002301-action-anomaly-index';
import { ProducerSequences1732300002310 } from './migrations/1732300002310-producer-sequences';
import { ProducerGapsReportGrant1732300002311 } from './migrations/1732300002311-producer-gaps-report-grant';
import { MerkleTree1732300002400 } from './migrations/1732300002400-merkle-tree';
import { CheckpointTreeSize1732300002401 } from './migrations/1732300002401-checkpoint-tree-size';
import { ProducerSequencesPreviousMax1732300002410 } from './migrations/1732300002410-producer-sequences-previous-max';
import { RetentionAnomalyFindings1732300002420 } from './migrations/1732300002420-retention-anomaly-findings';
import { MerkleBackfill1732300002430 } from './migrations/1732300002430-merkle-backfill';
import { NarrowGrants1732300002440 } from './migrations/1732300002440-narrow-grants';
import { MerkleLeavesWithoutTenantKey1732300002450 } from './migrations/1732300002450-merkle-leaves-without-tenant-key';
import { ProducerGapResolution1732300002460 } from './migrations/1732300002460-producer-gap-resolution';

export const LEDGER_ENTITIES = [TenantEntity, ApiKeyEntity];
export const LEDGER_MIGRATIONS = [
  InitialSchema1732300000000,
  ActionProjectionState1732300000200,
  ActionSeq1732300000310,
  ChangeOutbox1732300000400,
  Escalations1732300000500,
  Notifications1732300000600,
  TenantRowLevelSecurity1732300000700,
  ActionToolStatusIndex1732300000800,
  ActionStatsIndex1732300000900,
  DeadLetters1732300001000,
  DeadLetterIdentity1732300001100,
  RuntimeRoles1732300001200,
  RuntimeGrants1732300001210,
  PiiScope1732300001300,
  ChangeLogIpKeys1732300001310,
  AuditEventsRecordingOrderIndex1732300001600,
  Retention1732300001700,
  ReportsAndStats1732300001800,
  EventModelFilters1732300001900,
  RedactionSettings1732300002000,
  DropAuditEventsEventIndex1732300002100,
  StatsRollups1732300002200,
  StatsEdgeIndex1732300002210,
  ActionAnomalyFindings1732300002300,
  ActionAnomalyIndex1732300002301,
  ProducerSequences1732300002310,
  ProducerGapsReportGrant1732300002311,
  MerkleTree1732300002400,
  CheckpointTreeSize1732300002401,
  ProducerSequencesPreviousMax1732300002410,
  RetentionAnomalyFindings1732300002420,
  MerkleBackfill1732300002430,
  NarrowGrants1732300002440,
  MerkleLeavesWithoutTenantKey1732300002450,
  ProducerGapResolution1732300002460,
];

export interface DataSourceSettings {
  url: string;
  /** Pool size per process. */
  poolSize?: number;
  applicationName?: string;
  statementTimeoutMs?: number;
}

/** Builds the TypeORM data source. Schema changes go through migrations only, never synchronize. */
export function createLedgerDataSource(s: DataSourceSettings): DataSource {
  const options: DataSourceOptions = {
    type: 'postgres',
    url: s.url,
    entities: LEDGER_ENTITIES,
    migrations: LEDGER_MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    migrationsRun: false,
    logging: false,
    applicationName: s.applicationName,
    extra: {
      max: s.poolSize ?? 10,
      connectionTimeoutMillis: 3_000,
      statement_timeout: s.statementTimeoutMs ?? 30_000,
    },
  };
  return new DataSource(options);
}

/** Applies pending migrations; returns the names applied. */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const applied = await ds.runMigrations({ transaction: 'each' });
  return applied.map((m) => m.name);
}

/** Readiness probe: one round trip. */
export async function pingDatabase(ds: DataSource): Promise<void> {
  await ds.query('SELECT 1');
}
