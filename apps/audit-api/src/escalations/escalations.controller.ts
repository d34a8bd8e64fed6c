import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, CurrentTenant, RequireScope, type Principal } from '@agent-ledger/auth';
import { ESCALATION_REASONS, SEVERITIES } from '@agent-ledger/contracts';
import { settingsInputSchema } from '@agent-ledger/escalation-rules';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ChangeCtx } from '../change-log/request-context';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { instant, limit, window, windowIssue } from '../queries/query-filters';
import { escalationChangeSchema, escalationDetailSchema, escalationListSchema, escalationRulesSchema } from './escalations.responses';
import { EscalationsService } from './escalations.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idParam = z.object({ escalationId: z.string().regex(UUID, 'escalationId must be a UUID') });
const text = (name: string, max: number) => z.string({ invalid_type_error: `${name} must be a string` }).trim().min(1, `${name} must not be empty`).max(max, `${name} must be at most ${max} characters`);

const listSchema = z
  .object({
    status: z.enum(['open', 'acknowledged', 'resolved'], { errorMap: () => ({ message: 'status must be one of: open, acknowledged, resolved' }) }).optional(),
    reason: z.enum(ESCALATION_REASONS, { errorMap: () => ({ message: `reason must be one of: ${ESCALATION_REASONS.join(', ')}` }) }).optional(),
    sessionId: text('sessionId', 200).optional(),
    scope: z.enum(['session', 'tenant'], { errorMap: () => ({ message: 'scope must be one of: session, tenant' }) }).optional(),
    from: instant('from').optional(),
    to: instant('to').optional(),
    limit: limit(1_000, 100),
    cursor: z.string().max(500).optional(),
  })
  .strict()
  .refine(window, windowIssue);
const openSchema = z
  .object({
    sessionId: text('sessionId', 200),
    reason: z.enum(ESCALATION_REASONS, { errorMap: () => ({ message: `reason must be one of: ${ESCALATION_REASONS.join(', ')}` }) }).default('manual'),
    note: text('note', 2_000),
    severity: z.enum(SEVERITIES, { errorMap: () => ({ message: `severity must be one of: ${SEVERITIES.join(', ')}` }) }).default('error'),
    actionId: text('actionId', 200).optional(),
  })
  .strict();
const ackSchema = z.object({ acknowledgedBy: text('acknowledgedBy', 200).optional(), note: text('note', 2_000).optional() }).strict();
const resolveSchema = z.object({ resolvedBy: text('resolvedBy', 200).optional(), notes: text('notes', 4_000).optional() }).strict();

@Controller('v1')
@ApiTags('escalations')
@ApiKeyAuth()
export class EscalationsController {
  constructor(private readonly escalations: EscalationsService) {}

  @Get('escalations')
  @RequireScope('read')
  @ApiOperation({ summary: 'Escalations, newest first (scope read)' })
  @ApiInput({ query: listSchema })
  @ApiOutput({ 200: { schema: escalationListSchema, description: 'A page of escalations' } })
  list(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    const { limit: n, cursor, ...filter } = parseInput(listSchema, query, 'query');
    return this.escalations.list(tenantId, filter, n, cursor);
  }

  @Get('escalations/:escalationId')
  @RequireScope('read')
  @ApiOperation({ summary: 'One escalation with its history (scope read)' })
  @ApiInput({ params: idParam })
  @ApiOutput({ 200: { schema: escalationDetailSchema, description: 'The escalation and its history' } })
  get(@CurrentTenant() tenantId: string, @Param() params: unknown) {
    return this.escalations.get(tenantId, parseInput(idParam, params, 'params').escalationId);
  }

  @Post('escalations')
  @HttpCode(202)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Open an escalation by hand (scope admin); published to the escalations topic' })
  @ApiInput({ body: openSchema })
  @ApiOutput({ 202: { schema: escalationChangeSchema, description: 'Published; the escalation appears once projected' } })
  open(@CurrentTenant() tenantId: string, @CurrentPrincipal() p: Principal, @Body() body: unknown) {
    return this.escalations.open(tenantId, p, parseInput(openSchema, body ?? {}));
  }

  @Post('escalations/:escalationId/acknowledge')
  @HttpCode(202)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Acknowledge an open escalation (scope admin)' })
  @ApiInput({ params: idParam, body: ackSchema })
  @ApiOutput({ 202: { schema: escalationChangeSchema, description: 'Published' }, 409: { schema: null, description: 'escalation_not_open: only an open escalation is acknowledged' } })
  acknowledge(@CurrentTenant() tenantId: string, @CurrentPrincipal() p: Principal, @Param() params: unknown, @Body() body: unknown) {
    return this.escalations.acknowledge(tenantId, p, parseInput(idParam, params, 'params').escalationId, parseInput(ackSchema, body ?? {}));
  }

  @Post('escalations/:escalationId/resolve')
  @HttpCode(202)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Resolve an escalation with notes (scope admin)' })
  @ApiInput({ params: idParam, body: resolveSchema })
  @ApiOutput({ 202: { schema: escalationChangeSchema, description: 'Published' }, 409: { schema: null, description: 'escalation_resolved: the escalation is already resolved' } })
  resolve(@CurrentTenant() tenantId: string, @CurrentPrincipal() p: Principal, @Param() params: unknown, @Body() body: unknown) {
    return this.escalations.resolve(tenantId, p, parseInput(idParam, params, 'params').escalationId, parseInput(resolveSchema, body ?? {}));
  }

  @Get('escalation-rules')
  @RequireScope('admin')
  @ApiOperation({ summary: "The tenant's escalation rule settings, defaults filled in (scope admin)" })
  @ApiOutput({ 200: { schema: escalationRulesSchema, description: 'The resolved settings and the overrides' } })
  rules(@CurrentTenant() tenantId: string) {
    return this.escalations.rules(tenantId);
  }

  @Put('escalation-rules')
  @RequireScope('admin')
  @ApiOperation({ summary: 'Replace the rule settings; unset fields take the defaults (scope admin)' })
  @ApiInput({ body: settingsInputSchema })
  @ApiOutput({ 200: { schema: escalationRulesSchema, description: 'The saved settings, resolved, and the overrides' } })
  saveRules(@CurrentTenant() tenantId: string, @ChangeCtx() ctx: ChangeContext, @Body() body: unknown) {
    return this.escalations.saveRules(tenantId, ctx, parseInput(settingsInputSchema, body ?? {}));
  }
}
