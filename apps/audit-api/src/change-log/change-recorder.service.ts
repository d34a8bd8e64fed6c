import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@agent-ledger/auth';
import { type ActionEvent, validateActionEvent } from '@agent-ledger/contracts';
import { encryptEventPii } from '@agent-ledger/integrity';
import { SubjectKeyStore, type EntityManager } from '@agent-ledger/persistence';
import { LEDGER_KEYS, type LedgerKeys } from '../shared/ledger-keys';
import { ChangeOutboxRepository } from './change-outbox.repository';
import { ChangeRelay } from './change-relay.service';

/** Who made a change, as the HTTP request shows it. */
export interface ChangeContext {
  principal: Principal;
  ip?: string;
  userAgent?: string;
}

export interface ChangeRecord {
  tenantId: string;
  resource: { type: string; id: string };
  /** What the change was, e.g. `api_key.revoked`. */
  action: string;
  before: unknown;
  after: unknown;
}

/**
 * Records an administrative change in the ledger itself as a `change.recorded` event, written to the
 * outbox in the same transaction as the change and published by the relay right after the commit.
 * The requester's IP (`actor.ip`, PII) is encrypted before it reaches the outbox and Kafka, under the
 * actor's subject key like any event's (docs/privacy.md).
 */
@Injectable()
export class ChangeRecorder {
  /** No cache: keys created in a transaction that may yet roll back are never remembered (changes are rare). */
  private readonly subjectKeys?: SubjectKeyStore;

  constructor(
    private readonly outbox: ChangeOutboxRepository,
    private readonly relay: ChangeRelay,
    @Inject(LEDGER_KEYS) keys: LedgerKeys,
  ) {
    if (keys.cipher) this.subjectKeys = new SubjectKeyStore(keys.cipher, { ttlMs: 0 });
  }

  async record(manager: EntityManager, ctx: ChangeContext, change: ChangeRecord): Promise<ActionEvent> {
    const now = new Date().toISOString();
    const actorId = ctx.principal.kind === 'root' ? 'root-key' : `api-key:${ctx.principal.keyId}`;
    const event = {
      eventId: randomUUID(),
      type: 'change.recorded',
      tenantId: change.tenantId,
      occurredAt: now,
      receivedAt: now,
      agent: { id: 'agent-ledger', name: 'agent-ledger audit-api' },
      actor: {
        type: ctx.principal.kind === 'root' ? 'system' : 'user',
        id: actorId,
        ...(ctx.ip ? { ip: ctx.ip } : {}),
        ...(ctx.userAgent ? { userAgent: ctx.userAgent.slice(0, 1_000) } : {}),
      },
      resource: change.resource,
      changes: { before: change.before ?? null, after: change.after ?? null },
      metadata: { action: change.action, ...(ctx.principal.kind === 'api-key' ? { keyId: ctx.principal.keyId } : { keyId: 'root' }) },
    };
    const valid = validateActionEvent(await this.sealIp(manager, event));
    if (!valid.ok) throw new Error(`change.recorded event is invalid: ${valid.errors.map((e) => `${e.pointer} ${e.message}`).join('; ')}`);
    await this.outbox.add(manager, valid.value);
    return valid.value;
  }

  /** The event with `actor.ip` encrypted, in the change's transaction (without a master key: as it is, never in production). */
  private async sealIp<E extends { tenantId: string; actor: { id: string; ip?: string } }>(manager: EntityManager, event: E): Promise<E> {
    if (!this.subjectKeys || event.actor.ip === undefined) return event;
    const resolved = await this.subjectKeys.resolve((sql, params) => manager.query(sql, params), SubjectKeyStore.namesOf([event]));
    SubjectKeyStore.requireAll(resolved);
    return encryptEventPii(event, SubjectKeyStore.keysFor(event, resolved.keys)) as unknown as E;
  }

  /** Call after the change's transaction committed: publishes at once instead of at the next tick. */
  flushSoon(): void {
    this.relay.kick();
  }
}
