import { QUERY_COLUMN_KEYS, type QueryColumns } from './query-columns';
import type { StoredRow } from './stored-row';

/**
 * One `audit_events` row as a line of the chain export (`GET /v1/integrity/export?format=jsonl`),
 * the input of offline verification (docs/cli.md): the chain columns, `eventJson` byte for byte,
 * and the derived query columns; hashes as lowercase hex, times as RFC 3339, `chainSeq` as a
 * decimal string (a bigint does not fit a JSON number).
 */
export interface ChainExportRow extends Partial<QueryColumns> {
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

/** A stored row as a chain export line (the archive adds where and when it was recorded). */
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
    ...Object.fromEntries(QUERY_COLUMN_KEYS.filter((k) => r[k] !== undefined).map((k) => [k, r[k]])),
  };
}

/** An archived row: the export line plus the Kafka offset and the time the projector recorded it (what a restore re-inserts). */
export interface ArchivedRow extends ChainExportRow {
  kafkaOffset: string;
  recordedAt: string;
}
