import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from '@agent-ledger/persistence';
import { collectedGauge, createLogger } from '@agent-ledger/telemetry';

interface OpenLoss {
  gaps: number;
  missing: number;
}

/** What the gauges read at a scrape; set by the live LossMetrics (the gauges live once per process). */
let current: (() => Promise<OpenLoss>) | undefined;

/**
 * The open gaps in producers' sequence numbers, over every tenant, as Prometheus gauges read from
 * PostgreSQL at each scrape of audit-api's `/metrics` (`ledger_producer_gaps_open`,
 * `ledger_producer_events_missing`): audit-api reads the ledger for every tenant and runs whatever
 * the load, and a count taken at the scrape is right whichever projector instance opened or closed
 * a gap. Both gauges share one statement per scrape.
 */
@Injectable()
export class LossMetrics implements OnModuleInit, OnModuleDestroy {
  private readonly log = createLogger(LossMetrics.name);
  private pending?: { at: number; loss: Promise<OpenLoss> };

  constructor(private readonly dataSource: DataSource) {}

  onModuleInit(): void {
    current = () => this.openLoss();
    collectedGauge('ledger_producer_gaps_open', 'Open gaps in producers\u2019 sequence numbers (events missing), all tenants', async () => (await current!()).gaps);
    collectedGauge('ledger_producer_events_missing', 'Sequence numbers still missing in the open gaps, all tenants', async () => (await current!()).missing);
  }

  onModuleDestroy(): void {
    current = undefined;
  }

  /** One statement for both gauges of a scrape (reused for a second). */
  private openLoss(): Promise<OpenLoss> {
    if (this.pending && Date.now() - this.pending.at < 1_000) return this.pending.loss;
    const loss = this.dataSource
      .query(`SELECT count(*)::int AS gaps, coalesce(sum(last_seq - first_seq + 1), 0)::text AS missing FROM producer_gaps WHERE closed_at IS NULL`)
      .then(([r]: { gaps: number; missing: string }[]) => ({ gaps: r.gaps, missing: Number(r.missing) }));
    loss.catch((err) => this.log.warn({ err }, 'the loss gauges could not be read'));
    this.pending = { at: Date.now(), loss };
    return loss;
  }
}
