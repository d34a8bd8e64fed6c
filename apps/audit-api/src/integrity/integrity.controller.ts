import { Controller, Get, Query, Res } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, instantParam, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { IntegrityExportService } from './integrity-export.service';
import { chainExportRowSchema, checkpointSchema, verifyAnswerSchema } from './integrity.responses';
import { IntegrityService } from './integrity.service';
import { sendDownload, type DownloadResponse } from '../shared/streamed-download';

const instant = (name: string) => instantParam(name).optional();

const verifyQuery = z
  .object({ from: instant('from'), to: instant('to') })
  .strict()
  .refine((q) => !q.from || !q.to || q.from < q.to, { message: 'from must be before to', path: ['from'] });

const chainExportQuery = z.object({ format: z.enum(['jsonl']).default('jsonl').describe('jsonl: one stored row per line') }).strict();
const checkpointsQuery = z.object({}).strict();
/** JSON lines downloads: the first chunk is read before the headers (see sendDownload). */
const NDJSON = (filename: string) => ({ contentType: 'application/x-ndjson; charset=utf-8', filename });

@Controller('v1/integrity')
@ApiTags('integrity')
@ApiKeyAuth()
export class IntegrityController {
  constructor(
    private readonly integrity: IntegrityService,
    private readonly exports: IntegrityExportService,
  ) {}

  /**
   * `{ok, status: ok|unverified|failed, eventsChecked, chains, uncovered, unverifiedReasons,
   * lastCheckpoint, newestCheckpointAge, witness, firstFailure?, failures}` for the caller's tenant
   * (docs/integrity.md). An unreadable checkpoint witness is `unverified`, never a 5xx.
   */
  @Get('verify')
  @RequireScope('read')
  @ApiOperation({ summary: "Recompute the tenant's hash chains and check them against the signed checkpoints, the chain heads and the checkpoint witness: ok, unverified or failed (scope read)" })
  @ApiInput({ query: verifyQuery })
  @ApiOutput({ 200: { schema: verifyAnswerSchema, description: 'The verification: ok, unverified (with the reasons) or failed (with the failures)' } })
  verify(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    return this.integrity.verify(tenantId, parseInput(verifyQuery, query, 'query'));
  }

  /**
   * The tenant's stored rows (chain columns, event JSON, derived columns) as JSON lines: the input
   * of offline verification (`agent-ledger verify --offline`, docs/cli.md).
   */
  @Get('export')
  @RequireScope('read')
  @ApiOperation({ summary: "Stream the tenant's hash chains as stored, one row per JSON line, for offline verification (scope read)" })
  @ApiInput({ query: chainExportQuery })
  @ApiOutput({ 200: { schema: chainExportRowSchema, contentType: 'application/x-ndjson', description: 'One stored row per JSON line, by chain and chain_seq (a download)' } })
  exportChains(@CurrentTenant() tenantId: string, @Query() query: unknown, @Res() res: DownloadResponse): Promise<void> {
    parseInput(chainExportQuery, query, 'query');
    return sendDownload(res, NDJSON('chains.jsonl'), this.exports.chainLines(tenantId));
  }

  /** The tenant's signed checkpoints, oldest first, one per JSON line (as on the checkpoints topic). */
  @Get('checkpoints')
  @RequireScope('read')
  @ApiOperation({ summary: "Stream the tenant's signed checkpoints, oldest first, one per JSON line (scope read)" })
  @ApiOutput({ 200: { schema: checkpointSchema, contentType: 'application/x-ndjson', description: 'One signed checkpoint per JSON line, oldest first (a download)' } })
  checkpoints(@CurrentTenant() tenantId: string, @Query() query: unknown, @Res() res: DownloadResponse): Promise<void> {
    parseInput(checkpointsQuery, query, 'query');
    return sendDownload(res, NDJSON('checkpoints.jsonl'), this.exports.checkpointLines(tenantId));
  }
}
