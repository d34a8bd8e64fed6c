import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { CurrentTenant, RequireScope } from '@agent-ledger/auth';
import { isWindowIssue, resolveStatsWindow, StatsService } from '@agent-ledger/ledger-stats';
import { ApiError, ApiInput, ApiKeyAuth, ApiOutput, parseInput } from '@agent-ledger/runtime';
import { RetentionHorizon } from '../retention/retention-horizon.service';
import { statsSchema } from './stats.dto';
import { statisticsSchema } from './stats.responses';

/** Statistics of a window (scope read): docs/statistics.md. */
@Controller('v1')
@RequireScope('read')
@ApiTags('records')
@ApiKeyAuth()
export class StatsController {
  constructor(
    private readonly stats: StatsService,
    private readonly horizon: RetentionHorizon,
  ) {}

  @Get('stats')
  @ApiOperation({ summary: 'Totals, both success rates, breakdowns by tool, provider, agent, actor and risk, approvals and decision time, durations, failures, signals, events by type, time series' })
  @ApiInput({ query: statsSchema })
  @ApiOutput({ 200: { schema: statisticsSchema, description: 'The statistics of the window (docs/statistics.md)' }, 409: { schema: null, description: 'before_retention_horizon: `from` or the named window reaches into a purged period' } })
  async statistics(@CurrentTenant() tenantId: string, @Query() query: unknown) {
    const q = parseInput(statsSchema, query, 'query');
    const w = resolveStatsWindow(q);
    if (isWindowIssue(w)) throw ApiError.validation([w]);
    // An explicit window (from, or a named window) must not reach into a purged period; the default 24 h may.
    if (q.from) await this.horizon.assertLive(tenantId, q.from);
    else if (q.window) await this.horizon.assertLive(tenantId, w.from, 'window');
    return this.stats.statistics(tenantId, w);
  }
}
