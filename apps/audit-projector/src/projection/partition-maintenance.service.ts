import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import { ProjectionRepository } from './projection.repository';

const DAY_MS = 24 * 60 * 60_000;
const RETRY_MS = 60_000;

/**
 * Keeps the audit_events month partitions of this and the next month in place: once before the
 * consumer starts, then daily (a minute after a failure). Runs outside batch transactions. Rows
 * would still be accepted without it (the DEFAULT partition), so a failure never stops projection.
 */
@Injectable()
export class PartitionMaintenanceService implements OnModuleDestroy {
  private readonly log = createLogger(PartitionMaintenanceService.name);
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly repository: ProjectionRepository) {}

  /** Ensures the partitions now and schedules the next run; never throws. */
  async ensureAndSchedule(): Promise<boolean> {
    let ok = false;
    try {
      const partitions = await this.repository.ensureMonthPartitions();
      this.log.info({ partitions }, 'audit_events partitions in place');
      ok = true;
    } catch (err) {
      this.log.warn({ err, retryInMs: RETRY_MS }, 'could not ensure audit_events partitions');
    }
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.ensureAndSchedule(), ok ? DAY_MS : RETRY_MS);
      this.timer.unref();
    }
    return ok;
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
