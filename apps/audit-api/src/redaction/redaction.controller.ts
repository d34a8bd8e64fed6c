import { Body, Controller, Get, Put } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { ChangeCtx } from '../change-log/request-context';
import { putRedactionSchema } from './redaction.dto';
import { redactionSettingsViewSchema } from './redaction.responses';
import { RedactionService } from './redaction.service';

/** What ingest redacts for the tenant (docs/privacy.md#free-form-pii). */
@Controller('v1/redaction')
@RequireScope('admin')
@ApiTags('privacy')
@ApiKeyAuth()
export class RedactionController {
  constructor(private readonly redaction: RedactionService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's redaction settings: key patterns, value patterns, free-text PII mode (off, redact, encrypt), phone region" })
  @ApiOutput({ 200: { schema: redactionSettingsViewSchema, description: 'The settings, or the defaults (default: true)' } })
  get(@CurrentTenant() tenantId: string) {
    return this.redaction.get(tenantId);
  }

  @Put()
  @ApiOperation({ summary: 'Change the redaction settings; fields left out keep their value; the change is recorded in the ledger and applies to events ingest receives after its settings cache expires (INGEST_TENANT_CACHE_TTL_MS)' })
  @ApiInput({ body: putRedactionSchema })
  @ApiOutput({ 200: { schema: redactionSettingsViewSchema, description: 'The settings after the change' } })
  put(@CurrentTenant() tenantId: string, @Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    return this.redaction.put(tenantId, parseInput(putRedactionSchema, body), ctx);
  }
}
