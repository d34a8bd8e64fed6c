import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { PiiAccess } from '../privacy/pii-access';
import { idParam, listActionsSchema, listEventsSchema } from './query-filters';
import { actionDetailSchema, actionListSchema, eventListSchema, sessionSummarySchema } from './records.responses';
import { RecordsService } from './records.service';

const actionIdParam = idParam('actionId');
const sessionIdParam = idParam('sessionId');

/** What the agents did: actions, their timelines, raw events, sessions (scope read); statistics: StatsController. */
@Controller('v1')
@RequireScope('read')
@ApiTags('records')
@ApiKeyAuth()
export class RecordsController {
  constructor(private readonly records: RecordsService) {}

  @Get('actions')
  @ApiOperation({ summary: 'Actions, newest first (or slowest first: sort=duration_desc), filtered; cursor pagination stable while events arrive' })
  @ApiInput({ query: listActionsSchema })
  @ApiOutput({ 200: { schema: actionListSchema, description: 'A page of actions' }, 409: { schema: null, description: 'before_retention_horizon: `from` reaches into a purged period' } })
  listActions(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    const { limit, cursor, sort, ...filter } = parseInput(listActionsSchema, query, 'query');
    return this.records.listActions(tenantId, filter, sort, limit, cursor);
  }

  @Get('actions/:actionId')
  @ApiOperation({ summary: 'One action with its full event timeline' })
  @ApiInput({ params: actionIdParam })
  @ApiOutput({ 200: { schema: actionDetailSchema, description: "The action, its timeline and its session's escalations" } })
  action(@CurrentTenant() tenantId: string, @PiiAccess() pii: boolean, @Param() params: unknown) {
    return this.records.action(tenantId, parseInput(actionIdParam, params, 'params').actionId as string, pii);
  }

  @Get('events')
  @ApiOperation({ summary: 'Raw stored events, newest first, with the action filters plus type and resource' })
  @ApiInput({ query: listEventsSchema })
  @ApiOutput({ 200: { schema: eventListSchema, description: 'A page of stored events' }, 409: { schema: null, description: 'before_retention_horizon: `from` reaches into a purged period' } })
  listEvents(@CurrentTenant() tenantId: string, @PiiAccess() pii: boolean, @Query() query: unknown) {
    const { limit, cursor, ...filter } = parseInput(listEventsSchema, query, 'query');
    return this.records.listEvents(tenantId, filter, limit, pii, cursor);
  }

  @Get('sessions/:sessionId/summary')
  @ApiOperation({ summary: 'Counts by status, risk level and approval decision, total duration of a session' })
  @ApiInput({ params: sessionIdParam })
  @ApiOutput({ 200: { schema: sessionSummarySchema, description: 'The session summary' } })
  session(@CurrentTenant() tenantId: string, @Param() params: unknown) {
    return this.records.sessionSummary(tenantId, parseInput(sessionIdParam, params, 'params').sessionId as string);
  }
}
