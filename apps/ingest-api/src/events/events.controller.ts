import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiError } from '@agent-ledger/runtime';
import { IngestService } from './ingest.service';

interface JsonAwareRequest {
  is(type: string | string[]): string | false | null;
}

@Controller('v1/events')
export class EventsController {
  constructor(private readonly ingest: IngestService) {}

  /** One event, or `{"events":[…]}` (up to 1,000 events, 1 MiB). 202 once Kafka acknowledged. */
  @Post()
  @HttpCode(202)
  @RequireScope('ingest')
  async post(@CurrentTenant() tenantId: string, @Req() req: JsonAwareRequest, @Body() body: unknown) {
    if (!req.is(['application/json', 'application/*+json'])) {
      throw new ApiError(415, 'unsupported_media_type', 'send the events as JSON with "Content-Type: application/json"', 'Content-Type');
    }
    return this.ingest.ingest(tenantId, body);
  }
}
