import { Body, Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { ApiError, ApiKeyAuth, ApiOutput, JSON_MEDIA_TYPES } from '@agent-ledger/runtime';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { spansOfExport } from './otlp-export-cost';
import { OtlpTracesService } from './otlp-traces.service';
import { protobufTraceResponse, traceExportResponseSchema } from './otlp-traces.responses';

/** OTLP/HTTP's binary encoding. */
export const OTLP_PROTOBUF = 'application/x-protobuf';
/** The route, also named to the HTTP input so that it may take a protobuf body (main.ts). */
export const OTLP_TRACES_PATH = '/v1/traces';

interface TracesRequest {
  headers: Record<string, string | string[] | undefined>;
  is(type: string | string[]): string | false | null;
}

interface TracesResponse {
  status(code: number): TracesResponse;
  type(type: string): TracesResponse;
  send(body: Buffer): void;
  json(body: unknown): void;
}

@Controller(OTLP_TRACES_PATH.slice(1))
@ApiTags('otlp')
@ApiKeyAuth()
export class OtlpTracesController {
  constructor(private readonly traces: OtlpTracesService) {}

  /** OTLP/HTTP trace export: tool call spans become agent actions (docs/otlp.md). 200 once Kafka acknowledged them. */
  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Record the tool calls of an OTLP/HTTP trace export, protobuf or JSON (scope ingest)' })
  @ApiConsumes(OTLP_PROTOBUF, 'application/json')
  @ApiBody({ description: 'An OTLP ExportTraceServiceRequest (opentelemetry-proto), binary protobuf or OTLP/JSON; gzip, deflate or br Content-Encoding accepted', schema: { type: 'object' } })
  @ApiOutput({
    200: {
      description: 'Every tool call span is on Kafka; partialSuccess counts the ones rejected. Answered in the request\'s encoding',
      content: { 'application/json': traceExportResponseSchema, [OTLP_PROTOBUF]: { type: 'string', format: 'binary' } },
    },
    400: { schema: null, description: 'A body that does not decode (malformed_protobuf) or a field of the wrong type (invalid_otlp_body, named by JSON pointer); nothing published' },
    401: { schema: null, description: 'Missing, unknown or revoked key' },
    403: { schema: null, description: 'Key without the ingest scope' },
    413: { schema: null, description: 'Body over INGEST_MAX_BODY_BYTES (1 MiB) once decompressed' },
    415: { schema: null, description: 'Neither application/x-protobuf nor application/json' },
    429: { schema: null, description: 'rate_limited; Retry-After (OTLP exporters retry)' },
    503: { schema: null, description: 'Kafka unreachable or ingest overloaded; Retry-After (OTLP exporters retry; the span-derived event ids make it safe)' },
  })
  @RequireScope('ingest')
  async post(@CurrentTenant() tenantId: string, @Req() req: TracesRequest, @Res() res: TracesResponse, @Body() body: unknown): Promise<void> {
    const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
    const protobuf = Buffer.isBuffer(body) || contentType.startsWith(OTLP_PROTOBUF);
    if (!protobuf && !req.is(JSON_MEDIA_TYPES)) {
      throw new ApiError(415, 'unsupported_media_type', `send the export as "Content-Type: ${OTLP_PROTOBUF}" or "application/json"`, 'Content-Type');
    }
    // No body at all with the protobuf type: the empty ExportTraceServiceRequest. Usually decoded already by the rate limit.
    const spans = spansOfExport(body, protobuf);
    const result = await this.traces.export(tenantId, spans);
    if (protobuf) res.status(200).type(OTLP_PROTOBUF).send(protobufTraceResponse(result));
    else res.status(200).json(result);
  }
}
