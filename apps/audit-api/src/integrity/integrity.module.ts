import { Module } from '@nestjs/common';
import { IntegrityController } from './integrity.controller';
import { IntegrityRepository } from './integrity.repository';
import { IntegrityService } from './integrity.service';

@Module({ controllers: [IntegrityController], providers: [IntegrityService, IntegrityRepository] })
export class IntegrityModule {}
