import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import { ApiSecurity, ApiTags } from '@nestjs/swagger';
import { metricsRegistry } from '@agent-ledger/telemetry';
import type { Response } from 'express';
import { ApiOutput } from './http/openapi';
import { ReadinessService } from './readiness.service';

/** The checks of a health answer: one per connection or worker, with how long it took. */
const checksSchema = {
  type: 'object',
  additionalProperties: {
    type: 'object',
    required: ['ok', 'ms'],
    additionalProperties: false,
    properties: { ok: { type: 'boolean' }, error: { type: 'string' }, ms: { type: 'number', minimum: 0 }, required: { const: false, description: 'Reported, not deciding readiness' } },
  },
};
/** A health answer: `ok` with 200, `unavailable` with 503; readiness also says `ready`. */
const healthSchema = (status: 'ok' | 'unavailable', ready?: boolean) => ({
  type: 'object',
  required: ['status', 'checks', ...(ready === undefined ? [] : ['ready'])],
  additionalProperties: false,
  properties: { status: { const: status }, checks: checksSchema, ...(ready === undefined ? {} : { ready: { const: ready } }) },
});

/** Health and metrics take no key (an empty security requirement in the OpenAPI document). */
@Controller()
@ApiTags('health')
@ApiSecurity({})
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /**
   * The process is up, its event loop answers, and no worker is down beyond repair (a consumer that
   * crashed and could not be recreated for its bound): 503 asks the orchestrator for a restart.
   */
  @Get('health/live')
  @ApiOutput({
    200: { schema: healthSchema('ok'), description: 'Alive (status ok)' },
    503: { schema: healthSchema('unavailable'), description: 'A worker is down beyond repair (status unavailable): restart the process' },
  })
  async live(@Res() res: Response): Promise<void> {
    const report = await this.readiness.live();
    res.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: report.ready ? 'ok' : 'unavailable', checks: report.checks });
  }

  /** 200 only when every connection the service needs works. */
  @Get('health/ready')
  @ApiOutput({
    200: { schema: healthSchema('ok', true), description: 'Every connection the service needs works' },
    503: { schema: healthSchema('unavailable', false), description: 'Not ready (status unavailable), with the failing checks' },
  })
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.readiness.report();
    res.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: report.ready ? 'ok' : 'unavailable', ...report });
  }

  @Get('metrics')
  @ApiOutput({ 200: { schema: { type: 'string' }, contentType: 'text/plain', description: 'Prometheus metrics (text exposition format)' } })
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  }
}
