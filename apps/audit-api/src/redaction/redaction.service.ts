import { Injectable } from '@nestjs/common';
import { DEFAULT_REDACTION_SETTINGS, type RedactionSettings, type RedactionSettingsView } from '@agent-ledger/contracts';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import type { PutRedactionDto } from './redaction.dto';
import { RedactionRepository, type RedactionRow } from './redaction.repository';

/**
 * A tenant's redaction settings: key patterns, value patterns, free-text PII mode, phone region.
 * Ingest reads them through its cache (INGEST_TENANT_CACHE_TTL_MS): a change applies to events
 * received at most that long after it.
 */
@Injectable()
export class RedactionService {
  private readonly log = createLogger(RedactionService.name);

  constructor(
    private readonly repository: RedactionRepository,
    private readonly changes: ChangeRecorder,
  ) {}

  async get(tenantId: string): Promise<RedactionSettingsView> {
    return toView(await this.repository.transaction(tenantId, (m) => this.repository.find(m, tenantId)));
  }

  /** Changes the fields given and records the change, before and after, in the tenant's ledger in the same transaction. */
  async put(tenantId: string, dto: PutRedactionDto, ctx: ChangeContext): Promise<RedactionSettingsView> {
    const view = await this.repository.transaction(tenantId, async (m) => {
      const current = await this.repository.lock(m, tenantId);
      const before = settingsOf(current);
      const next: RedactionSettings = {
        keyPatterns: dto.keyPatterns ?? before.keyPatterns,
        valuePatterns: dto.valuePatterns ?? before.valuePatterns,
        freeTextPii: dto.freeTextPii ?? before.freeTextPii,
        phoneRegion: dto.phoneRegion !== undefined ? dto.phoneRegion : before.phoneRegion,
      };
      const after = toView(await this.repository.update(m, tenantId, next));
      await this.changes.record(m, ctx, { tenantId, resource: { type: 'redaction_settings', id: tenantId }, action: 'redaction_settings.updated', before, after: settingsOf(after) });
      return after;
    });
    this.changes.flushSoon();
    this.log.info({ tenantId, freeTextPii: view.freeTextPii, keyPatterns: view.keyPatterns.length, valuePatterns: view.valuePatterns.length }, 'redaction settings updated');
    return view;
  }
}

const settingsOf = (s: RedactionSettings): RedactionSettings => ({ keyPatterns: [...s.keyPatterns], valuePatterns: [...s.valuePatterns], freeTextPii: s.freeTextPii, phoneRegion: s.phoneRegion ?? null });

function toView(row: RedactionRow | undefined): RedactionSettingsView {
  if (!row) return { ...settingsOf(DEFAULT_REDACTION_SETTINGS), updatedAt: null, default: true };
  return { ...settingsOf(row), updatedAt: new Date(row.updatedAt).toISOString(), default: false };
}
