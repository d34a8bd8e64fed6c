import { Controller, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { ChangeCtx } from '../change-log/request-context';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { PiiAccess } from './pii-access';
import { sendDownload, type DownloadResponse } from '../shared/streamed-download';
import { erasureResultSchema, subjectExportSchema } from './privacy.responses';
import { PrivacyService } from './privacy.service';

const subjectParam = z.object({ subjectId: z.string().min(1, 'subjectId must not be empty').max(200, 'subjectId must be at most 200 characters') });

/** A data subject's rights: erasure (crypto-shredding) and access (export). Scope `admin`. */
@Controller('v1/subjects')
@RequireScope('admin')
@ApiTags('data subjects')
@ApiKeyAuth()
export class PrivacyController {
  constructor(private readonly privacy: PrivacyService) {}

  @Post(':subjectId/erase')
  @HttpCode(200)
  @ApiOperation({ summary: "Crypto-shred a subject's PII (scope admin); the chains still verify" })
  @ApiInput({ params: subjectParam })
  @ApiOutput({ 200: { schema: erasureResultSchema, description: 'The erasure (idempotent: an erased subject answers the same erasedAt)' } })
  erase(@CurrentTenant() tenantId: string, @Param() params: Record<string, string>, @ChangeCtx() ctx: ChangeContext) {
    return this.privacy.erase(tenantId, parseInput(subjectParam, params, 'params').subjectId, ctx);
  }

  /** `{"subjectId","keys":[…],"events":[…]}`, streamed page by page. */
  @Get(':subjectId/export')
  @ApiOperation({ summary: 'Everything stored about a subject (scope admin); PII opened where not erased with scope pii, else redacted' })
  @ApiInput({ params: subjectParam })
  @ApiOutput({ 200: { schema: subjectExportSchema, contentType: 'application/json', description: "The subject's key status and every stored event naming it (a download)" } })
  async export(@CurrentTenant() tenantId: string, @PiiAccess() pii: boolean, @Param() params: Record<string, string>, @Res() res: DownloadResponse): Promise<void> {
    const { subjectId } = parseInput(subjectParam, params, 'params');
    await sendDownload(res, { contentType: 'application/json; charset=utf-8', filename: `subject-${encodeURIComponent(subjectId)}.json` }, this.document(tenantId, subjectId, pii));
  }

  /** The export document in chunks; the first (the key status) is read before any byte is sent. */
  private async *document(tenantId: string, subjectId: string, pii: boolean): AsyncGenerator<string> {
    const parts = this.privacy.exportSubject(tenantId, subjectId, pii);
    const first = await parts.next();
    yield `{"subjectId":${JSON.stringify(subjectId)},"keys":${JSON.stringify((first.value as { keys: unknown }).keys)},"events":[`;
    let n = 0;
    for await (const page of parts) {
      for (const event of page as Record<string, unknown>[]) yield `${n++ ? ',' : ''}\n${JSON.stringify(event)}`;
    }
    yield `\n]}\n`;
  }
}
