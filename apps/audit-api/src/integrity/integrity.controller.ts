import { Controller, Get, Query } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { IntegrityService } from './integrity.service';

const instant = (name: string) =>
  z
    .string()
    .refine((v) => !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}/.test(v), `${name} must be an RFC 3339 date-time`)
    .transform((v) => new Date(v))
    .optional();

const verifyQuery = z
  .object({ from: instant('from'), to: instant('to') })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });

@Controller('v1/integrity')
@ApiTags('integrity')
@ApiKeyAuth()
export class IntegrityController {
  constructor(private readonly integrity: IntegrityService) {}

  /** `{ok, eventsChecked, chains, lastCheckpoint, firstFailure?}` for the caller's tenant. */
  @Get('verify')
  @RequireScope('read')
  @ApiOperation({ summary: "Recompute the tenant's hash chains and check them against the signed checkpoints (scope read)" })
  @ApiInput({ query: verifyQuery })
  verify(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    return this.integrity.verify(tenantId, parseInput(verifyQuery, query, 'query'));
  }
}
