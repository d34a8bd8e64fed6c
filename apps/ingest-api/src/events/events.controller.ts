import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ACTION_EVENT_INPUT_SCHEMA } from '@agent-ledger/contracts';
import { ApiError, ApiKeyAuth } from '@agent-ledger/runtime';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IngestService } from './ingest.service';

interface JsonAwareRequest {
  is(type: string | string[]): string | false | null;
}

const ERROR = { $ref: '#/components/schemas/Error' };

@Controller('v1/events')
@ApiTags('events')
@ApiKeyAuth()
export class EventsController {
  constructor(private readonly ingest: IngestService) {}

  /** One event, or `{"events":[…]}` (up to 1,000 events, 1 MiB). 202 once Kafka acknowledged. */
  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Record one event or a batch of up to 1,000 (scope ingest)' })
  @ApiBody({
    schema: {
      oneOf: [
        ACTION_EVENT_INPUT_SCHEMA as Record<string, unknown>,
        { type: 'object', required: ['events'], properties: { events: { type: 'array', minItems: 1, maxItems: 1000, items: ACTION_EVENT_INPUT_SCHEMA as Record<string, unknown> } } },
      ],
    },
  })
  @ApiResponse({ status: 202, description: 'Acknowledged by Kafka', schema: { type: 'object', properties: { accepted: { type: 'array', items: { type: 'object', properties: { eventId: { type: 'string', format: 'uuid' } } } } } } })
  @ApiResponse({ status: 400, description: 'Invalid fields, each named by JSON pointer; nothing published', schema: ERROR })
  @ApiResponse({ status: 401, description: 'Missing, unknown or revoked key', schema: ERROR })
  @ApiResponse({ status: 403, description: 'Key without the ingest scope', schema: ERROR })
  @ApiResponse({ status: 413, description: 'Body over 1 MiB or more than 1,000 events', schema: ERROR })
  @ApiResponse({ status: 415, description: 'Not application/json', schema: ERROR })
  @ApiResponse({ status: 429, description: 'rate_limited: the key posted more events than INGEST_RATE_LIMIT_PER_SECOND allows, or too many failed authentications from this address; Retry-After', schema: ERROR })
  @ApiResponse({ status: 503, description: 'Kafka unreachable; retry with the same eventIds', schema: ERROR })
  @RequireScope('ingest')
  async post(@CurrentTenant() tenantId: string, @Req() req: JsonAwareRequest, @Body() body: unknown) {
    if (!req.is(['application/json', 'application/*+json'])) {
      throw new ApiError(415, 'unsupported_media_type', 'send the events as JSON with "Content-Type: application/json"', 'Content-Type');
    }
    return this.ingest.ingest(tenantId, body);
  }
}
