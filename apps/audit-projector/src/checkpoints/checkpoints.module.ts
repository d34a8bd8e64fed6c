import { Module } from '@nestjs/common';
import { CheckpointRepository } from './checkpoint.repository';
import { CheckpointService } from './checkpoint.service';

@Module({
  providers: [CheckpointRepository, CheckpointService],
  exports: [CheckpointService],
})
export class CheckpointsModule {}
