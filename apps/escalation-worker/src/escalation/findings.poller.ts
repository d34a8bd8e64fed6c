import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { createLogger } from '@agent-ledger/telemetry';
import { EscalationService } from './escalation.service';
import { FINDING_SOURCES, type FindingSource } from './finding-source';
import { RuleSettingsRepository } from './rule-settings.repository';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

const BATCH = 100;

/**
 * Polls the finding sources (anomalies, sequence gaps) every `timerPollMs`: opens an escalation for
 * each due finding whose rule is on, then resolves the escalations a source no longer justifies
 * (a producer's missing events arrived). One poll at a time; a failed poll is retried at the next.
 */
@Injectable()
export class FindingsPoller implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = createLogger(FindingsPoller.name);
  private timer?: NodeJS.Timeout;
  private polling?: Promise<void>;
  private stopped = false;

  constructor(
    @Inject(FINDING_SOURCES) private readonly sources: readonly FindingSource[],
    @Inject(WORKER_SETTINGS) private readonly settings: WorkerSettings,
    private readonly rules: RuleSettingsRepository,
    private readonly service: EscalationService,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.polling ??= this.pollAll().finally(() => (this.polling = undefined));
    }, this.settings.timerPollMs);
    this.timer.unref();
  }

  /** Handles every due finding of every source (also called by tests). */
  async pollAll(): Promise<void> {
    for (const source of this.sources) {
      try {
        await this.poll(source);
      } catch (err) {
        this.log.warn({ err, source: source.name }, 'findings could not be handled; retrying at the next poll');
      }
    }
  }

  private async poll(source: FindingSource): Promise<void> {
    const settingsOf = (tenantId: string) => this.rules.settingsOf(tenantId);
    for (;;) {
      const due = await source.due(BATCH, settingsOf);
      for (const f of due) {
        const s = await settingsOf(f.fire.tenantId);
        if (s.rules[f.fire.reason].enabled) await this.service.openAndPublish(f.fire, s);
      }
      if (due.length) await source.markHandled(due);
      if (due.length < BATCH || this.stopped) break;
    }
    if (!source.resolutions || !source.markResolved) return;
    for (;;) {
      const due = await source.resolutions(BATCH);
      for (const r of due) await this.service.resolveOpen(r);
      if (due.length) await source.markResolved(due);
      if (due.length < BATCH || this.stopped) return;
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.polling?.catch(() => undefined);
  }
}
