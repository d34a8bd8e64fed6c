import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ACTION_EVENT_INPUT_SCHEMA } from '@agent-ledger/contracts';
import { ApiError, ApiKeyAuth, ApiOutput } from '@agent-ledger/runtime';
import { ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { acceptedEventsSchema } from './events.responses';
import { IngestService } from './ingest.service';

interface JsonAwareRequest {
  is(type: string | string[]): string | false | null;
}

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
  @ApiOutput({
    202: { schema: acceptedEventsSchema, description: 'Acknowledged by Kafka' },
    400: { schema: null, description: 'Invalid fields, each named by JSON pointer; nothing published' },
    401: { schema: null, description: 'Missing, unknown or revoked key' },
    403: { schema: null, description: 'Key without the ingest scope' },
    413: { schema: null, description: 'Body over 1 MiB or more than 1,000 events' },
    415: { schema: null, description: 'Not application/json' },
    429: { schema: null, description: 'rate_limited: the key posted more events than INGEST_RATE_LIMIT_PER_SECOND allows, or too many failed authentications from this address; Retry-After' },
    503: { schema: null, description: 'Kafka unreachable, or the service could not take the request (every 5xx is a 503); retry with the same eventIds' },
  })
  @RequireScope('ingest')
  async post(@CurrentTenant() tenantId: string, @Req() req: JsonAwareRequest, @Body() body: unknown) {
    if (!req.is(['application/json', 'application/*+json'])) {
      throw new ApiError(415, 'unsupported_media_type', 'send the events as JSON with "Content-Type: application/json"', 'Content-Type');
    }
    return this.ingest.ingest(tenantId, body);
  }
}
