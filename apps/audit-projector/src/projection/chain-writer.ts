import { Injectable } from '@nestjs/common';
import { GENESIS_HASH, hashEvent } from '@agent-ledger/integrity';
import type { ResolvedSubjectKeys } from '@agent-ledger/persistence';
import { ChainRepository } from './chain.repository';
import type { AcceptedMessage } from './event-intake';
import { storedEventJson } from './pii-sealing';
import type { AuditEventInsert, ChainHead, ProjectionTransaction } from './projection.repository';

/** What appending a batch's new events did: the rows inserted and each tenant's new chain head. */
export interface ChainAppend {
  rows: AuditEventInsert[];
  heads: Map<string, ChainHead>;
}

/**
 * Appends new events to the hash chains of their tenants in one Kafka partition: locks the chain
 * heads (in tenant order), seals clear PII, links each event to its predecessor
 * (`hash = H(prevHash ‖ canonical JSON)`, offset order) and inserts the rows. The heads it returns
 * are stored with the offset when the batch finishes.
 */
@Injectable()
export class ChainWriter {
  constructor(private readonly statements: ChainRepository) {}

  async append(tx: ProjectionTransaction, partition: number, events: readonly AcceptedMessage[], keys: ResolvedSubjectKeys): Promise<ChainAppend> {
    if (!events.length) return { rows: [], heads: new Map() };
    const heads = await this.statements.lockHeads(tx, partition, [...new Set(events.map((a) => a.event.tenantId))], GENESIS_HASH);
    const rows: AuditEventInsert[] = [];
    for (const a of events) {
      const tenantId = a.event.tenantId;
      // Clear PII (direct producers) is encrypted only now, for events that are new.
      const eventJson = storedEventJson(a, keys);
      const head = heads.get(tenantId);
      if (!head) throw new Error(`chain head of tenant ${tenantId} partition ${partition} was not locked`);
      const chainSeq = head.seq + 1n;
      const hash = hashEvent(head.hash, eventJson);
      rows.push({ ...a.columns, kafkaOffset: a.offset, chainSeq, prevHash: head.hash, hash, eventJson });
      heads.set(tenantId, { seq: chainSeq, hash });
    }
    await this.statements.insert(tx, partition, rows);
    return { rows, heads };
  }
}
