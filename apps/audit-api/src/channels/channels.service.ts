import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApiError, type FieldProblem } from '@agent-ledger/runtime';
import { createLogger } from '@agent-ledger/telemetry';
import { ChangeRecorder, type ChangeContext } from '../change-log/change-recorder.service';
import { LEDGER_KEYS, type LedgerKeys } from '../shared/ledger-keys';
import type { PutChannelsDto, RotateSecretDto } from './channels.dto';
import { ChannelsRepository, type EmailChannelRow, type EndpointRow } from './channels.repository';
import { CHANNELS_SETTINGS, type ChannelsSettings } from './channels.settings';
import { WebhookAddressGuard } from '@agent-ledger/outbound';
import { generateSecret } from './webhook-secrets';

export interface WebhookView {
  id: string;
  url: string;
  format: string;
  filter: Record<string, unknown>;
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: string | null;
  failingSince: string | null;
  secretVersion: number;
  /** Until when the previous secret still signs (after a rotation). */
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Only in the answer that created the endpoint or rotated its secret. */
  secret?: string;
}

export interface ChannelsView {
  email: EmailChannelRow;
  webhooks: WebhookView[];
}

/** A tenant's notification channels: email recipients and signed webhook endpoints. */
@Injectable()
export class ChannelsService {
  private readonly log = createLogger(ChannelsService.name);
  private readonly guard: WebhookAddressGuard;

  constructor(
    private readonly repository: ChannelsRepository,
    private readonly changes: ChangeRecorder,
    @Inject(LEDGER_KEYS) private readonly keys: LedgerKeys,
    @Inject(CHANNELS_SETTINGS) private readonly settings: ChannelsSettings,
  ) {
    this.guard = new WebhookAddressGuard({ allowlist: settings.allowlist, requireHttps: settings.requireHttps });
  }

  async get(tenantId: string): Promise<ChannelsView> {
    return this.repository.transaction(tenantId, async (m) => ({
      email: await this.repository.email(m, tenantId),
      webhooks: (await this.repository.endpoints(m, tenantId)).map((e) => toView(e)),
    }));
  }

  /**
   * Replaces the tenant's channels. A webhook with an `id` keeps that endpoint and its secret; one
   * without gets a new id and secret (shown in this answer only); endpoints left out are deleted.
   * Every URL is checked against the SSRF guard first (DNS resolved now; the notifier checks again).
   */
  async put(tenantId: string, dto: PutChannelsDto, ctx: ChangeContext): Promise<ChannelsView> {
    await this.checkUrls(dto);
    const created = new Map<string, string>();
    const result = await this.repository.transaction(tenantId, async (m) => {
      const before = { email: await this.repository.email(m, tenantId), webhooks: await this.repository.endpoints(m, tenantId, true) };
      const existing = new Map(before.webhooks.map((e) => [e.id, e]));
      const unknown: FieldProblem[] = dto.webhooks.flatMap((h, i) =>
        h.id && !existing.has(h.id.toLowerCase()) ? [{ field: `/webhooks/${i}/id`, code: 'unknown_webhook', message: `no webhook ${h.id} (leave id out to create one)` }] : [],
      );
      if (unknown.length) throw ApiError.validation(unknown);
      if (dto.webhooks.some((h) => !h.id) && !this.keys.webhookSecrets) {
        throw ApiError.unavailable('master_key_missing', 'webhook secrets cannot be stored: LEDGER_MASTER_KEY is not configured');
      }

      await this.repository.saveEmail(m, tenantId, { recipients: dto.email.recipients, filter: dto.email.filter });
      const kept = new Set<string>();
      for (const [position, h] of dto.webhooks.entries()) {
        const write = { position, url: h.url, format: h.format, filter: h.filter };
        if (h.id) {
          const id = h.id.toLowerCase();
          kept.add(id);
          await this.repository.updateEndpoint(m, tenantId, { id, ...write }, h.enabled);
        } else {
          const id = randomUUID();
          const secret = generateSecret(this.keys.webhookSecrets!, tenantId, id, 1);
          await this.repository.insertEndpoint(m, tenantId, { id, ...write }, secret.wrapped);
          if (h.enabled === false) await this.repository.updateEndpoint(m, tenantId, { id, ...write }, false);
          created.set(id, secret.secret);
        }
      }
      await this.repository.deleteEndpoints(m, tenantId, before.webhooks.filter((e) => !kept.has(e.id)).map((e) => e.id));
      const after = { email: await this.repository.email(m, tenantId), webhooks: await this.repository.endpoints(m, tenantId) };
      await this.changes.record(m, ctx, {
        tenantId,
        resource: { type: 'notification_channels', id: tenantId },
        action: 'channels.updated',
        before: describe(before),
        after: describe(after),
      });
      return after;
    });
    this.changes.flushSoon();
    this.log.info({ tenantId, recipients: result.email.recipients.length, webhooks: result.webhooks.length, created: created.size }, 'channels updated');
    return { email: result.email, webhooks: result.webhooks.map((e) => toView(e, created.get(e.id))) };
  }

  /**
   * A new secret for an endpoint, shown once. The previous secret keeps signing next to it (two
   * signatures in `webhook-signature`) for `graceSeconds`, so receivers can switch without a gap.
   */
  async rotateSecret(tenantId: string, endpointId: string, dto: RotateSecretDto, ctx: ChangeContext): Promise<WebhookView> {
    const cipher = this.keys.webhookSecrets;
    if (!cipher) throw ApiError.unavailable('master_key_missing', 'webhook secrets cannot be stored: LEDGER_MASTER_KEY is not configured');
    const graceSeconds = dto.graceSeconds ?? this.settings.secretGraceSeconds;
    const { row, secret } = await this.repository.transaction(tenantId, async (m) => {
      const current = await this.repository.findEndpoint(m, tenantId, endpointId.toLowerCase());
      if (!current) throw ApiError.notFound('webhook_not_found', `no webhook ${endpointId}`, 'id');
      const version = current.secretVersion + 1;
      const fresh = generateSecret(cipher, tenantId, current.id, version);
      const previousExpiresAt = graceSeconds > 0 ? new Date(Date.now() + graceSeconds * 1_000) : null;
      await this.repository.rotateSecret(m, tenantId, current.id, version, fresh.wrapped, previousExpiresAt);
      await this.changes.record(m, ctx, {
        tenantId,
        resource: { type: 'webhook_endpoint', id: current.id },
        action: 'webhook.secret_rotated',
        before: { secretVersion: current.secretVersion },
        after: { secretVersion: version, previousSecretExpiresAt: previousExpiresAt?.toISOString() ?? null },
      });
      const row = (await this.repository.endpoints(m, tenantId)).find((e) => e.id === current.id)!;
      return { row, secret: fresh.secret };
    });
    this.changes.flushSoon();
    this.log.info({ tenantId, endpointId: row.id, secretVersion: row.secretVersion, graceSeconds }, 'webhook secret rotated');
    return toView(row, secret);
  }

  private async checkUrls(dto: PutChannelsDto): Promise<void> {
    const problems = await Promise.all(
      dto.webhooks.map(async (h, i): Promise<FieldProblem | undefined> => {
        const problem = await this.guard.check(h.url);
        return problem && { field: `/webhooks/${i}/url`, code: problem.code, message: problem.message };
      }),
    );
    const found = problems.filter((p): p is FieldProblem => !!p);
    if (found.length) throw ApiError.validation(found);
  }
}

const iso = (d: Date | string | null): string | null => (d ? new Date(d).toISOString() : null);

function toView(e: EndpointRow, secret?: string): WebhookView {
  return {
    id: e.id,
    url: e.url,
    format: e.format,
    filter: e.filter,
    enabled: e.enabled,
    disabledReason: e.disabledReason,
    disabledAt: iso(e.disabledAt),
    failingSince: iso(e.failingSince),
    secretVersion: e.secretVersion,
    previousSecretExpiresAt: e.previousSecretExpiresAt && new Date(e.previousSecretExpiresAt) > new Date() ? iso(e.previousSecretExpiresAt) : null,
    createdAt: iso(e.createdAt)!,
    updatedAt: iso(e.updatedAt)!,
    ...(secret ? { secret } : {}),
  };
}

/** Channels as the change log records them: never a secret. */
function describe(c: { email: EmailChannelRow; webhooks: EndpointRow[] }) {
  return {
    email: c.email,
    webhooks: c.webhooks.map((e) => ({ id: e.id, url: e.url, format: e.format, filter: e.filter, enabled: e.enabled, secretVersion: e.secretVersion })),
  };
}
