import { z } from 'zod';
import type { TraceExportResult } from './otlp-traces.service';
import { ExportTraceServiceResponse } from './otlp-trace.proto';

/** OTLP/JSON `ExportTraceServiceResponse`: `{}`, or `partialSuccess` when tool call spans were rejected. */
export const traceExportResponseSchema = z
  .object({
    partialSuccess: z
      .object({
        rejectedSpans: z.number().int().min(1).describe('Tool call spans not recorded'),
        errorMessage: z.string().describe('Why, naming the first spans by id'),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The protobuf `ExportTraceServiceResponse` of an export (empty when every span was taken). */
export function protobufTraceResponse(result: TraceExportResult): Buffer {
  return Buffer.from(ExportTraceServiceResponse.encode(ExportTraceServiceResponse.fromObject(result)).finish());
}
