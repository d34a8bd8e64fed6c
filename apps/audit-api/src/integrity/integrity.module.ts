import { Module } from '@nestjs/common';
import { IntegrityExportService } from './integrity-export.service';
import { IntegrityController } from './integrity.controller';
import { IntegrityRepository } from './integrity.repository';
import { IntegrityService } from './integrity.service';

@Module({ controllers: [IntegrityController], providers: [IntegrityService, IntegrityExportService, IntegrityRepository] })
export class IntegrityModule {}
