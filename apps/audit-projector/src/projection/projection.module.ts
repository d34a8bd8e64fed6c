import { Module } from '@nestjs/common';
import { ConsumersModule } from '@agent-ledger/runtime';
import { CheckpointsModule } from '../checkpoints/checkpoints.module';
import { ActionEventsConsumer } from './action-events.consumer';
import { PartitionMaintenanceService } from './partition-maintenance.service';
import { ProjectionRepository } from './projection.repository';
import { ProjectionService } from './projection.service';
import { ProjectorSubjectKeys } from './projector-subject-keys';

/** Action events → audit_events (hash-chained), actions, DLQ. */
@Module({
  imports: [CheckpointsModule, ConsumersModule],
  controllers: [ActionEventsConsumer],
  providers: [ProjectorSubjectKeys, ProjectionRepository, ProjectionService, PartitionMaintenanceService],
})
export class ProjectionModule {}
