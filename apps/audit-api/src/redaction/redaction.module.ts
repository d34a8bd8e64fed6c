import { Module } from '@nestjs/common';
import { RedactionController } from './redaction.controller';
import { RedactionRepository } from './redaction.repository';
import { RedactionService } from './redaction.service';

/** GET/PUT /v1/redaction: the tenant's redaction settings, applied by ingest. */
@Module({ controllers: [RedactionController], providers: [RedactionRepository, RedactionService] })
export class RedactionModule {}
