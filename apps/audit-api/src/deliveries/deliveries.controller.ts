import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { ChangeContext } from '../change-log/change-recorder.service';
import { ChangeCtx } from '../change-log/request-context';
import { deliveryIdParam, listDeliveriesSchema } from './deliveries.dto';
import { deliveryPageSchema, deliveryViewSchema } from './deliveries.responses';
import { DeliveriesService } from './deliveries.service';

/** The notification delivery log. */
@Controller('v1/deliveries')
@ApiTags('deliveries')
@ApiKeyAuth()
export class DeliveriesController {
  constructor(private readonly deliveries: DeliveriesService) {}

  @Get()
  @RequireScope('read')
  @ApiOperation({ summary: 'Deliveries newest first, each with its attempts (status code, duration, error)' })
  @ApiInput({ query: listDeliveriesSchema })
  @ApiOutput({ 200: { schema: deliveryPageSchema, description: 'A page of deliveries, newest first' } })
  list(@CurrentTenant() tenantId: string, @Query() query: Record<string, unknown>) {
    return this.deliveries.list(tenantId, parseInput(listDeliveriesSchema, query, 'query'));
  }

  @Post(':id/retry')
  @RequireScope('admin')
  @HttpCode(202)
  @ApiOperation({ summary: 'Replay a delivered or failed delivery (same message id, new attempts)' })
  @ApiInput({ params: deliveryIdParam })
  @ApiOutput({ 202: { schema: deliveryViewSchema, description: 'The delivery, pending again; the notifier queues it within its sweep interval' } })
  retry(@CurrentTenant() tenantId: string, @Param() params: Record<string, string>, @ChangeCtx() ctx: ChangeContext) {
    return this.deliveries.retry(tenantId, parseInput(deliveryIdParam, params, 'params').id, ctx);
  }
}
