import { Module } from '@nestjs/common';
import { StatsRollups } from './stats-rollups';

/** The statistics' rollups, written in the projector's batch transaction. */
@Module({
  providers: [StatsRollups],
  exports: [StatsRollups],
})
export class RollupsModule {}
