import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireRootKey, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ChangeCtx } from '../change-log/request-context';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { deadLetterIdParam, listDeadLettersSchema, replaySchema } from './dead-letters.dto';
import { deadLetterPageSchema, deadLetterSchema, operatorDeadLetterPageSchema, operatorDeadLetterSchema, replayOutcomeSchema } from './dead-letters.responses';
import { DeadLettersService } from './dead-letters.service';

/** The tenant's dead letters: messages naming it that a consumer could not apply. */
@Controller('v1/dead-letters')
@ApiTags('dead letters')
@ApiKeyAuth()
export class DeadLettersController {
  constructor(private readonly letters: DeadLettersService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Dead letters, newest first, with reason and time, never the payload (scope read)' })
  @ApiInput({ query: listDeadLettersSchema })
  @ApiOutput({ 200: { schema: deadLetterPageSchema, description: 'A page of dead letters, newest first' } })
  list(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    const { limit, cursor, ...filter } = parseInput(listDeadLettersSchema, query, 'query');
    return this.letters.list({ tenantId }, filter, limit, cursor);
  }

  @Get(':id')
  @RequireScope('read')
  @ApiOperation({ summary: 'One dead letter (scope read)' })
  @ApiInput({ params: deadLetterIdParam })
  @ApiOutput({ 200: { schema: deadLetterSchema, description: 'The dead letter' } })
  get(@CurrentTenant() tenantId: string, @Param() params: unknown) {
    return this.letters.get({ tenantId }, parseInput(deadLetterIdParam, params, 'params').id);
  }

  @Post('replay')
  @HttpCode(200)
  @RequireScope('admin')
  @ApiOperation({ summary: 'Republish dead letters to their source topics after a fix: ids, or all unreplayed (at most 500 per call) (scope admin)' })
  @ApiInput({ body: replaySchema })
  @ApiOutput({ 200: { schema: replayOutcomeSchema, description: 'How many letters were republished, which were skipped and why, and how many remain' } })
  replay(@CurrentTenant() tenantId: string, @ChangeCtx() ctx: ChangeContext, @Body() body: unknown) {
    return this.letters.replay({ tenantId }, parseInput(replaySchema, body ?? {}), ctx);
  }
}

/** Dead letters that name no known tenant, for the operator (root key). */
@Controller('v1/admin/dead-letters')
@RequireRootKey()
@ApiTags('admin (root key)')
@ApiKeyAuth()
export class OperatorDeadLettersController {
  constructor(private readonly letters: DeadLettersService) {}

  @Get()
  @ApiOperation({ summary: 'Dead letters with no tenant, newest first, with their message key' })
  @ApiInput({ query: listDeadLettersSchema })
  @ApiOutput({ 200: { schema: operatorDeadLetterPageSchema, description: 'A page of dead letters with no tenant, newest first' } })
  list(@Query() query: unknown) {
    const { limit, cursor, ...filter } = parseInput(listDeadLettersSchema, query, 'query');
    return this.letters.list('operator', filter, limit, cursor);
  }

  @Get(':id')
  @ApiOperation({ summary: 'One dead letter with no tenant' })
  @ApiInput({ params: deadLetterIdParam })
  @ApiOutput({ 200: { schema: operatorDeadLetterSchema, description: 'The dead letter with its message key' } })
  get(@Param() params: unknown) {
    return this.letters.get('operator', parseInput(deadLetterIdParam, params, 'params').id);
  }

  @Post('replay')
  @HttpCode(200)
  @ApiOperation({ summary: 'Republish dead letters with no tenant (e.g. after restoring the tenant they name)' })
  @ApiInput({ body: replaySchema })
  @ApiOutput({ 200: { schema: replayOutcomeSchema, description: 'How many letters were republished, which were skipped and why, and how many remain' } })
  replay(@ChangeCtx() ctx: ChangeContext, @Body() body: unknown) {
    return this.letters.replay('operator', parseInput(replaySchema, body ?? {}), ctx);
  }
}
