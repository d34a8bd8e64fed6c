import { Module } from '@nestjs/common';
import { StoreModule } from '../store/store.module';
import { CheckpointsController } from './checkpoints.controller';

/** `GET /v1/checkpoints/:tenantId`. */
@Module({ imports: [StoreModule], controllers: [CheckpointsController] })
export class CheckpointsHttpModule {}
