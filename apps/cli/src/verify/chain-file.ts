import type { Checkpoint } from '@agent-ledger/contracts';
import { deriveColumns, parseStoredCheckpoint, QUERY_COLUMN_KEYS, type DerivedColumns, type StoredRow } from '@agent-ledger/integrity';

/**
 * The offline verification input (docs/cli.md, "Offline verification"): one `audit_events` row per
 * JSON line, as `GET /v1/integrity/export?format=jsonl` writes it —
 * `{tenantId, eventId, partition, chainSeq, prevHash, hash, eventJson, …derived columns}` with the
 * hashes as lowercase hex and `eventJson` the stored text byte for byte. The derived (query)
 * columns are optional: when present they are checked against `eventJson`, when absent they are
 * taken from it.
 */
export class MalformedLineError extends Error {}

const HEX64 = /^[0-9a-f]{64}$/;
const DERIVED_KEYS: (keyof DerivedColumns & keyof StoredRow)[] = [
  'tenantId', 'eventId', 'type', 'actionId', 'sessionId', 'agentId', 'actorId', 'toolName', 'riskLevel', 'approvalDecision', 'subjectId', 'resourceType', 'resourceId', 'occurredAt', 'receivedAt',
];

/** One exported row line → a StoredRow; throws MalformedLineError naming what is wrong. */
export function parseChainRow(line: string): StoredRow {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line);
  } catch {
    throw new MalformedLineError('not valid JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MalformedLineError('not a JSON object');
  if (typeof v.eventJson !== 'string') throw new MalformedLineError('eventJson is missing or not a string');
  if (!Number.isInteger(v.partition) || (v.partition as number) < 0) throw new MalformedLineError('partition is missing or not a non-negative integer');
  const seq = typeof v.chainSeq === 'number' ? String(v.chainSeq) : v.chainSeq;
  if (typeof seq !== 'string' || !/^\d{1,19}$/.test(seq)) throw new MalformedLineError('chainSeq is missing or not a non-negative integer');
  for (const h of ['prevHash', 'hash'] as const) {
    if (typeof v[h] !== 'string' || !HEX64.test(v[h] as string)) throw new MalformedLineError(`${h} is missing or not 64 lowercase hex characters`);
  }
  let derived: Partial<DerivedColumns> = {};
  if (DERIVED_KEYS.some((k) => !(k in v))) {
    try {
      derived = deriveColumns(JSON.parse(v.eventJson));
    } catch {
      // Leave the columns missing: verification reports event_json as malformed.
    }
  }
  const col = <K extends keyof StoredRow>(k: K): StoredRow[K] => (k in v ? v[k] : (derived as Record<string, unknown>)[k] ?? null) as StoredRow[K];
  return {
    tenantId: col('tenantId'),
    eventId: col('eventId'),
    partition: v.partition as number,
    chainSeq: seq,
    prevHash: Buffer.from(v.prevHash as string, 'hex'),
    hash: Buffer.from(v.hash as string, 'hex'),
    eventJson: v.eventJson,
    type: col('type'),
    actionId: col('actionId'),
    sessionId: col('sessionId'),
    agentId: col('agentId'),
    actorId: col('actorId'),
    toolName: col('toolName'),
    riskLevel: col('riskLevel'),
    approvalDecision: col('approvalDecision'),
    subjectId: col('subjectId'),
    resourceType: col('resourceType'),
    resourceId: col('resourceId'),
    occurredAt: col('occurredAt') ?? '',
    receivedAt: col('receivedAt') ?? '',
    // The query columns when the export has them (checked against eventJson), else not checked.
    ...Object.fromEntries(QUERY_COLUMN_KEYS.filter((k) => k in v).map((k) => [k, v[k]])),
  };
}

/**
 * One checkpoint line → a Checkpoint: either the checkpoint itself (as `GET /v1/integrity/checkpoints`
 * and the `agent-ledger.checkpoints.v1` topic carry it) or the stored pair `{payload, signature}`.
 */
export function parseCheckpointLine(line: string): Checkpoint {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(line);
  } catch {
    throw new MalformedLineError('not valid JSON');
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new MalformedLineError('not a JSON object');
  if (typeof v.payload === 'string' && typeof v.signature === 'string') {
    try {
      return checkShape(parseStoredCheckpoint(v.payload, v.signature));
    } catch (err) {
      throw err instanceof MalformedLineError ? err : new MalformedLineError('payload is not valid JSON');
    }
  }
  return checkShape(v);
}

function checkShape(v: Record<string, unknown> | Checkpoint): Checkpoint {
  const c = v as Record<string, unknown>;
  for (const k of ['checkpointId', 'tenantId', 'createdAt', 'keyId', 'signature']) {
    if (typeof c[k] !== 'string') throw new MalformedLineError(`${k} is missing or not a string`);
  }
  if (!Array.isArray(c.heads)) throw new MalformedLineError('heads is missing or not a list');
  for (const h of c.heads as unknown[]) {
    const head = h as Record<string, unknown> | null;
    if (!head || !Number.isInteger(head.partition) || typeof head.chainSeq !== 'string' || typeof head.hash !== 'string') {
      throw new MalformedLineError('heads must be {partition, chainSeq, hash} objects');
    }
  }
  return c as unknown as Checkpoint;
}
