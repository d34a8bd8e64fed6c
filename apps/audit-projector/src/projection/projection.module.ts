import { Module } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { CheckpointsModule } from '../checkpoints/checkpoints.module';
import { RollupsModule } from '../rollups/rollups.module';
import { ActionEventsConsumer } from './action-events.consumer';
import { ActionProjector } from './action-projector';
import { ActionsRepository } from './actions.repository';
import { AnomalyFindingsRepository } from './anomaly-findings.repository';
import { ChainRepository } from './chain.repository';
import { ChainWriter } from './chain-writer';
import { MerkleBackfill } from './merkle-backfill';
import { MerkleBackfillRepository } from './merkle-backfill.repository';
import { MerkleTreeRepository } from './merkle-tree.repository';
import { MerkleWriter } from './merkle-writer';
import { PartitionMaintenanceService } from './partition-maintenance.service';
import { ProducerSequencesRepository } from './producer-sequences.repository';
import { ProjectionDeadLetters } from './projection-dead-letters';
import { ProjectionRepository } from './projection.repository';
import { ProjectionService } from './projection.service';
import { ProjectorSubjectKeys } from './projector-subject-keys';
import { TenantDirectory } from './tenant-directory';

/** Action events → audit_events (hash-chained), actions, statistics rollups, Merkle trees (and their backfill), DLQ. */
@Module({
  imports: [CheckpointsModule, ConsumersModule, RollupsModule],
  controllers: [ActionEventsConsumer],
  providers: [
    ProjectionRepository,
    ProjectionService,
    TenantDirectory,
    ProjectorSubjectKeys,
    ChainRepository,
    ChainWriter,
    ActionsRepository,
    ActionProjector,
    AnomalyFindingsRepository,
    ProducerSequencesRepository,
    MerkleTreeRepository,
    MerkleWriter,
    MerkleBackfillRepository,
    MerkleBackfill,
    ProjectionDeadLetters,
    PartitionMaintenanceService,
  ],
})
export class ProjectionModule {}
