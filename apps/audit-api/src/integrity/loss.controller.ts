import { Controller, Get, Query } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { lossQuerySchema } from './loss.dto';
import { LossRepository } from './loss.repository';
import { lossPageSchema } from './loss.responses';

/** Loss accounting: the ranges of producers' sequence numbers that never arrived (docs/accountability.md). */
@Controller('v1/integrity')
@ApiTags('integrity')
@ApiKeyAuth()
export class LossController {
  constructor(private readonly loss: LossRepository) {}

  /**
   * `{totals, gaps, nextCursor}`: the gaps in the sequence numbers of the tenant's stamped producers
   * (the SDK stamps `producer: {id, seq}`), newest first; events without a stamp are not accounted.
   */
  @Get('loss')
  @RequireScope('read')
  @ApiOperation({ summary: "List the ranges of producers' sequence numbers that are missing (open) or arrived late (closed), with the tenant's totals (scope read)" })
  @ApiInput({ query: lossQuerySchema })
  @ApiOutput({ 200: { schema: lossPageSchema, description: 'The totals and a page of gaps, newest first' } })
  list(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    return this.loss.page(tenantId, parseInput(lossQuerySchema, query, 'query'));
  }
}
