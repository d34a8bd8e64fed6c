import { Inject, Injectable } from '@nestjs/common';
import { MasterKeyring, webhookSecretKeyId, webhookSecretWrapper, type KeyWrapper } from '@agent-ledger/integrity';
import type { NotifierConfig } from '../config/notifier.config';
import type { WebhookEndpointRow } from '../delivery/deliveries.repository';
import { NOTIFIER_CONFIG } from '../shared/notifier-config.token';

/**
 * Name under which a secret is wrapped (AES-256-GCM under the key derived from LEDGER_MASTER_KEY for
 * webhook secrets, the tenant and this name authenticated): audit-api wraps with the same name.
 */
export { webhookSecretKeyId };

export class MissingMasterKeyError extends Error {
  override name = 'MissingMasterKeyError';
}

/** Unwraps endpoints' signing secrets: the current one, and the previous one during its grace period. */
@Injectable()
export class WebhookSecretStore {
  private readonly cipher?: KeyWrapper;

  constructor(@Inject(NOTIFIER_CONFIG) config: NotifierConfig) {
    this.cipher = config.LEDGER_MASTER_KEY ? webhookSecretWrapper(new MasterKeyring(config.LEDGER_MASTER_KEY, config.LEDGER_PREVIOUS_MASTER_KEYS)) : undefined;
  }

  get available(): boolean {
    return !!this.cipher;
  }

  signingSecrets(endpoint: WebhookEndpointRow, now: Date = new Date()): Buffer[] {
    if (!this.cipher) throw new MissingMasterKeyError('LEDGER_MASTER_KEY is not set: webhook secrets cannot be unwrapped');
    const secrets = [this.cipher.unwrap(Buffer.from(endpoint.secretWrapped), endpoint.tenantId, webhookSecretKeyId(endpoint.id, endpoint.secretVersion))];
    if (endpoint.previousSecretWrapped && endpoint.previousSecretVersion !== null && endpoint.previousSecretExpiresAt && new Date(endpoint.previousSecretExpiresAt) > now) {
      secrets.push(this.cipher.unwrap(Buffer.from(endpoint.previousSecretWrapped), endpoint.tenantId, webhookSecretKeyId(endpoint.id, endpoint.previousSecretVersion)));
    }
    return secrets;
  }
}
