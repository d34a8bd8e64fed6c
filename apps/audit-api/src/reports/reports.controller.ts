import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { ChangeCtx } from '../change-log/request-context';
import { putReportScheduleSchema, reportRunIdParam, startReportRunSchema } from './reports.dto';
import { reportRunSchema, reportScheduleAnswerSchema, reportsViewSchema } from './reports.responses';
import { ReportsService } from './reports.service';

/** The tenant's scheduled report: its schedule, and runs on demand (docs/reports.md). */
@Controller('v1/reports')
@RequireScope('admin')
@ApiTags('reports')
@ApiKeyAuth()
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiOperation({ summary: 'The report schedule (null when none is set) and the newest report runs' })
  @ApiOutput({ 200: { schema: reportsViewSchema, description: 'The schedule and the newest runs' } })
  get(@CurrentTenant() tenantId: string) {
    return this.reports.get(tenantId);
  }

  @Put()
  @ApiOperation({ summary: 'Set the report schedule: frequency daily|weekly, hour, weekday (weekly), IANA timezone, enabled; the notifier follows it within its reconcile interval; the change is recorded in the ledger' })
  @ApiInput({ body: putReportScheduleSchema })
  @ApiOutput({ 200: { schema: reportScheduleAnswerSchema, description: 'The schedule as stored' } })
  put(@CurrentTenant() tenantId: string, @Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    return this.reports.put(tenantId, parseInput(putReportScheduleSchema, body), ctx);
  }

  @Post('runs')
  @HttpCode(202)
  @ApiOperation({ summary: "Send the report of the period that ends now to the email channel's recipients (the notifier sends it)" })
  @ApiInput({ body: startReportRunSchema })
  @ApiOutput({ 202: { schema: reportRunSchema, description: 'The run, requested; follow it at /v1/reports/runs/{runId}' } })
  startRun(@CurrentTenant() tenantId: string, @Body() body: unknown) {
    return this.reports.startRun(tenantId, parseInput(startReportRunSchema, body ?? {}).frequency);
  }

  @Get('runs/:runId')
  @ApiOperation({ summary: "A report run's period and state (requested, sent, failed)" })
  @ApiInput({ params: reportRunIdParam })
  @ApiOutput({ 200: { schema: reportRunSchema, description: 'The run' } })
  run(@CurrentTenant() tenantId: string, @Param() params: unknown) {
    return this.reports.run(tenantId, parseInput(reportRunIdParam, params, 'params').runId);
  }
}
