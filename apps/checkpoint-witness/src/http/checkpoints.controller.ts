import { timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Inject, Param, Res } from '@nestjs/common';
import { ApiError } from '@agent-ledger/runtime';
import type { Response } from 'express';
import type { WitnessConfig } from '../config/witness.config';
import { WITNESS_CONFIG } from '../shared/witness-config.token';
import { CheckpointStore } from '../store/checkpoint-store';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Read side of the witness: a tenant's trusted checkpoints as NDJSON (one canonical JSON checkpoint
 * per line, oldest first; an empty body when none is held). Bearer token only when WITNESS_READ_TOKEN is set.
 */
@Controller('v1/checkpoints')
export class CheckpointsController {
  constructor(
    private readonly store: CheckpointStore,
    @Inject(WITNESS_CONFIG) private readonly config: WitnessConfig,
  ) {}

  @Get(':tenantId')
  async list(@Param('tenantId') tenantId: string, @Headers('authorization') authorization: string | undefined, @Res() res: Response): Promise<void> {
    this.authorize(authorization);
    if (!UUID.test(tenantId)) throw ApiError.validation([{ field: 'tenantId', code: 'format', message: 'must be a UUID' }]);
    const lines = await this.store.linesOf(tenantId.toLowerCase());
    res.status(200).type('application/x-ndjson').setHeader('Cache-Control', 'no-store');
    res.send(lines.map((l) => `${l}\n`).join(''));
  }

  private authorize(header: string | undefined): void {
    const token = this.config.WITNESS_READ_TOKEN;
    if (!token) return;
    const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
    const a = Buffer.from(given);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw ApiError.unauthorized('unauthorized', 'a valid bearer token is required');
  }
}
