import { Injectable } from '@nestjs/common';
import type { StoredRow } from '@agent-ledger/integrity';
import { IntegrityRepository } from './integrity.repository';

/**
 * One `audit_events` row as a line of the chain export (`GET /v1/integrity/export?format=jsonl`),
 * the input of offline verification (docs/cli.md): the chain columns, `eventJson` byte for byte,
 * and the derived query columns; hashes as lowercase hex, times as RFC 3339, `chainSeq` as a
 * decimal string (a bigint does not fit a JSON number).
 */
export interface ChainExportRow {
  tenantId: string;
  partition: number;
  chainSeq: string;
  eventId: string;
  prevHash: string;
  hash: string;
  eventJson: string;
  type: string;
  actionId: string | null;
  sessionId: string | null;
  agentId: string | null;
  actorId: string | null;
  toolName: string | null;
  riskLevel: string | null;
  approvalDecision: string | null;
  subjectId: string | null;
  resourceType: string | null;
  resourceId: string | null;
  occurredAt: string;
  receivedAt: string;
}

const iso = (v: Date | string): string => (v instanceof Date ? v.toISOString() : new Date(v).toISOString());

export function toChainExportRow(r: StoredRow): ChainExportRow {
  return {
    tenantId: r.tenantId,
    partition: r.partition,
    chainSeq: String(r.chainSeq),
    eventId: r.eventId,
    prevHash: r.prevHash.toString('hex'),
    hash: r.hash.toString('hex'),
    eventJson: r.eventJson,
    type: r.type,
    actionId: r.actionId,
    sessionId: r.sessionId,
    agentId: r.agentId,
    actorId: r.actorId,
    toolName: r.toolName,
    riskLevel: r.riskLevel,
    approvalDecision: r.approvalDecision,
    subjectId: r.subjectId,
    resourceType: r.resourceType,
    resourceId: r.resourceId,
    occurredAt: iso(r.occurredAt),
    receivedAt: iso(r.receivedAt),
  };
}

/** Lines joined into chunks of about `size` characters: one write per chunk, not per row. */
async function* chunked(lines: AsyncIterable<string>, size = 64 * 1024): AsyncGenerator<string> {
  let chunk = '';
  for await (const line of lines) {
    chunk += line + '\n';
    if (chunk.length >= size) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/** The tenant's chains and checkpoints as JSON lines, for offline verification (memory stays flat). */
@Injectable()
export class IntegrityExportService {
  constructor(private readonly repository: IntegrityRepository) {}

  /** Every stored row of the tenant, chain by chain in chain_seq order. */
  chainLines(tenantId: string): AsyncGenerator<string> {
    const rows = this.repository.reader(tenantId).rows({});
    return chunked((async function* () {
      for await (const row of rows) yield JSON.stringify(toChainExportRow(row));
    })());
  }

  /** Every signed checkpoint of the tenant, oldest first, as published on the checkpoints topic. */
  checkpointLines(tenantId: string): AsyncGenerator<string> {
    const checkpoints = this.repository.reader(tenantId).checkpoints();
    return chunked((async function* () {
      for await (const cp of checkpoints) yield JSON.stringify(cp);
    })());
  }
}
