import { Injectable } from '@nestjs/common';
import type { AcceptedMessage, RejectedMessage } from './event-intake';
import type { ProjectionTransaction } from './projection.repository';

/**
 * Which tenants exist. A direct Kafka producer names its tenant; an event of a tenant without a row
 * in `tenants` is refused. Tenants are never deleted, so a positive answer is remembered — only
 * after the batch that read it committed ({@link TenantDirectory.remember}).
 */
@Injectable()
export class TenantDirectory {
  private readonly known = new Set<string>();

  /** Splits the events into those of existing tenants and refusals; returns the tenants learned from the database. */
  async check(tx: ProjectionTransaction, events: readonly AcceptedMessage[]): Promise<{ accepted: AcceptedMessage[]; rejected: RejectedMessage[]; learned: Set<string> }> {
    const unknown = [...new Set(events.map((a) => a.event.tenantId))].filter((t) => !this.known.has(t));
    const learned = unknown.length ? await tx.existingTenants(unknown) : new Set<string>();
    const accepted: AcceptedMessage[] = [];
    const rejected: RejectedMessage[] = [];
    for (const a of events) {
      const t = a.event.tenantId;
      if (this.known.has(t) || learned.has(t)) accepted.push(a);
      else rejected.push({ offset: a.offset, message: a.message, code: 'unknown_tenant', reason: `unknown tenant ${t}: no such row in tenants` });
    }
    return { accepted, rejected, learned };
  }

  remember(tenants: Iterable<string>): void {
    for (const t of tenants) this.known.add(t);
  }
}
