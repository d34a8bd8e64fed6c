import { Controller, Get, Header, HttpStatus, Res } from '@nestjs/common';
import { metricsRegistry } from '@agent-ledger/telemetry';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service';

@Controller()
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  /**
   * The process is up, its event loop answers, and no worker is down beyond repair (a consumer that
   * crashed and could not be recreated for its bound): 503 asks the orchestrator for a restart.
   */
  @Get('health/live')
  async live(@Res() res: Response): Promise<void> {
    const report = await this.readiness.live();
    res.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: report.ready ? 'ok' : 'unavailable', checks: report.checks });
  }

  /** 200 only when every connection the service needs works. */
  @Get('health/ready')
  async ready(@Res() res: Response): Promise<void> {
    const report = await this.readiness.report();
    res.status(report.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).json({ status: report.ready ? 'ok' : 'unavailable', ...report });
  }

  @Get('metrics')
  @Header('Cache-Control', 'no-store')
  async metrics(@Res() res: Response): Promise<void> {
    res.setHeader('Content-Type', metricsRegistry.contentType);
    res.send(await metricsRegistry.metrics());
  }
}
