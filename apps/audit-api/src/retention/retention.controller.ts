import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CurrentPrincipal, CurrentTenant, RequireScope, type Principal } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { ChangeCtx } from '../change-log/request-context';
import { putRetentionSchema, runIdParam, startRunSchema } from './retention.dto';
import { RetentionRunsService } from './retention-runs.service';
import { retentionRunSchema, retentionViewSchema } from './retention.responses';
import { RetentionService } from './retention.service';

/** How long a tenant's events are kept, archived and purged (docs/retention.md). */
@Controller('v1/retention')
@RequireScope('admin')
@ApiTags('retention')
@ApiKeyAuth()
export class RetentionController {
  constructor(
    private readonly retention: RetentionService,
    private readonly runs: RetentionRunsService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The retention policy (or the default), the retention horizon and the newest purges with their archives' })
  @ApiOutput({ 200: { schema: retentionViewSchema, description: 'The policy, the horizon and the newest purges' } })
  get(@CurrentTenant() tenantId: string) {
    return this.retention.get(tenantId);
  }

  @Put()
  @ApiOperation({ summary: 'Change the retention policy: retainFor (ISO 8601 duration), archive, legalHold; fields left out keep their value; the change is recorded in the ledger' })
  @ApiInput({ body: putRetentionSchema })
  @ApiOutput({ 200: { schema: retentionViewSchema, description: 'The policy after the change, the horizon and the newest purges' } })
  put(@CurrentTenant() tenantId: string, @Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    return this.retention.put(tenantId, parseInput(putRetentionSchema, body), ctx);
  }

  @Post('runs')
  @HttpCode(202)
  @ApiOperation({ summary: 'Run retention for the tenant now (queued for the retention worker); 503 queue_unavailable while Redis is unreachable' })
  @ApiInput({ body: startRunSchema })
  @ApiOutput({ 202: { schema: retentionRunSchema, description: 'The run, queued; follow it at /v1/retention/runs/{runId}' } })
  startRun(@CurrentTenant() tenantId: string, @CurrentPrincipal() principal: Principal, @Body() body: unknown) {
    parseInput(startRunSchema, body ?? {});
    return this.runs.start(tenantId, principal);
  }

  @Get('runs/:runId')
  @ApiOperation({ summary: "A retention run's state (queued, running, completed, failed) and, once done, its result or error" })
  @ApiInput({ params: runIdParam })
  @ApiOutput({ 200: { schema: retentionRunSchema, description: "The run's state, and its result or error once done" } })
  run(@CurrentTenant() tenantId: string, @Param() params: unknown) {
    return this.runs.find(tenantId, parseInput(runIdParam, params, 'params').runId);
  }
}
