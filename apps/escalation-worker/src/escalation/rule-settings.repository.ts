import { Inject, Injectable } from '@nestjs/common';
import { resolveSettings, settingsInputSchema, type EscalationSettings } from '@agent-ledger/escalation-rules';
import { DataSource } from '@agent-ledger/persistence';
import { createLogger } from '@agent-ledger/telemetry';
import { WORKER_SETTINGS, type WorkerSettings } from './worker-settings';

/** A tenant's rule settings (escalation_rules, edited through audit-api) over the defaults, cached briefly. */
@Injectable()
export class RuleSettingsRepository {
  private readonly log = createLogger(RuleSettingsRepository.name);
  private readonly cache = new Map<string, { settings: EscalationSettings; expiresAt: number }>();

  constructor(
    private readonly dataSource: DataSource,
    @Inject(WORKER_SETTINGS) private readonly worker: WorkerSettings,
  ) {}

  async settingsOf(tenantId: string): Promise<EscalationSettings> {
    const hit = this.cache.get(tenantId);
    if (hit && hit.expiresAt > Date.now()) return hit.settings;
    const [row] = await this.dataSource.query(`SELECT settings FROM escalation_rules WHERE tenant_id = $1`, [tenantId]);
    let settings = resolveSettings(undefined);
    if (row) {
      const parsed = settingsInputSchema.safeParse(row.settings);
      if (parsed.success) settings = resolveSettings(parsed.data);
      else this.log.error({ tenantId, issues: parsed.error.issues }, 'stored escalation settings are invalid; using the defaults');
    }
    this.cache.set(tenantId, { settings, expiresAt: Date.now() + this.worker.settingsCacheMs });
    return settings;
  }
}
