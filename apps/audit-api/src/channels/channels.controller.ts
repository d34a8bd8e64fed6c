import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { ChangeCtx } from '../change-log/request-context';
import { putChannelsSchema, rotateSecretSchema, webhookIdParam } from './channels.dto';
import { channelsViewSchema, webhookViewSchema } from './channels.responses';
import { ChannelsService } from './channels.service';

/** Where a tenant's escalations are announced: email recipients and signed webhooks. */
@Controller('v1/channels')
@RequireScope('admin')
@ApiTags('channels')
@ApiKeyAuth()
export class ChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  @Get()
  @ApiOperation({ summary: "The tenant's email recipients and webhook endpoints (secrets are never listed)" })
  @ApiOutput({ 200: { schema: channelsViewSchema, description: 'The email channel and the webhook endpoints, in order' } })
  get(@CurrentTenant() tenantId: string) {
    return this.channels.get(tenantId);
  }

  @Put()
  @ApiOperation({ summary: 'Replace the channels; new webhooks get an id and a whsec_ secret shown in this answer only' })
  @ApiInput({ body: putChannelsSchema })
  @ApiOutput({ 200: { schema: channelsViewSchema, description: 'The channels as stored; each new webhook with its secret' } })
  put(@CurrentTenant() tenantId: string, @Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    return this.channels.put(tenantId, parseInput(putChannelsSchema, body), ctx);
  }

  @Post('webhooks/:id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({ summary: 'A new signing secret (shown once); the previous one keeps signing for a grace period' })
  @ApiInput({ params: webhookIdParam, body: rotateSecretSchema })
  @ApiOutput({ 200: { schema: webhookViewSchema, description: 'The endpoint with its new secret (shown once) and until when the previous one signs' } })
  rotateSecret(@CurrentTenant() tenantId: string, @Param() params: Record<string, string>, @Body() body: unknown, @ChangeCtx() ctx: ChangeContext) {
    const { id } = parseInput(webhookIdParam, params, 'params');
    return this.channels.rotateSecret(tenantId, id, parseInput(rotateSecretSchema, body ?? {}), ctx);
  }
}
