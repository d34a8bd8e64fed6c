import type { ActionEvent, Checkpoint } from '@agent-ledger/contracts';
import type { ChainAnchor } from './verify-chains';

/** Per chain, the range of chain_seq a purge removes. */
export interface PurgeCut {
  partition: number;
  fromSeq: string;
  toSeq: string;
  /** Hash of the row at fromSeq and of the row at toSeq (lowercase hex). */
  firstHash: string;
  lastHash: string;
  events: number;
}

/** Where a purge's rows were archived (null when the tenant's policy does not archive). */
export interface PurgeArchive {
  /** The store, e.g. `file:///var/lib/agent-ledger/archive` or `s3://bucket/prefix`. */
  location: string;
  /** Object key of the gzip-compressed JSON Lines file, and of its manifest. */
  object: string;
  manifest: string;
  /** SHA-256 (hex) of the object's bytes and of the manifest's bytes. */
  sha256: string;
  manifestSha256: string;
  bytes: number;
}

/** A position a chain continues from once the rows up to it were purged. */
export interface PurgeAnchor {
  partition: number;
  chainSeq: string;
  hash: string;
}

/** `changes.after` of a `retention.purged` record. */
export interface RetentionPurgedDetails {
  purgeId: string;
  ordinal: number;
  /** Rows recorded before it were due (`now - retainFor` when the purge was planned). */
  horizon: string;
  /** The signed checkpoint whose heads the cuts end at. */
  checkpointId: string;
  events: number;
  recordedFrom: string | null;
  recordedTo: string | null;
  archive: PurgeArchive | null;
  cuts: PurgeCut[];
  /** For every chain ever purged, where it goes on from (this purge's cuts, and earlier purges' for the others). */
  anchors: PurgeAnchor[];
}

export const RETENTION_PURGED = 'retention.purged';

/** The record a purge appends to its tenant's ledger before any row is deleted (docs/retention.md). */
export function retentionPurgedEvent(tenantId: string, eventId: string, details: RetentionPurgedDetails, now = new Date()): ActionEvent {
  const at = now.toISOString();
  return {
    eventId,
    type: RETENTION_PURGED,
    tenantId,
    occurredAt: at,
    receivedAt: at,
    agent: { id: 'agent-ledger', name: 'agent-ledger retention-worker' },
    actor: { type: 'system', id: 'retention-worker' },
    resource: { type: 'retention', id: details.purgeId },
    changes: { before: null, after: details },
    metadata: { action: RETENTION_PURGED },
  } as ActionEvent;
}

const HEX64 = /^[0-9a-f]{64}$/;

/**
 * The anchors a stored `retention.purged` record names (its `event_json`); none for any other event or
 * a record that does not have the shape. Callers collect them from every such record of the tenant:
 * a chain may then start (or go on) after a gap that ends at one of them.
 */
export function purgeAnchorsOf(eventJson: string): ChainAnchor[] {
  let event: { type?: unknown; tenantId?: unknown; changes?: { after?: { anchors?: unknown } } };
  try {
    event = JSON.parse(eventJson);
  } catch {
    return [];
  }
  if (event?.type !== RETENTION_PURGED || typeof event.tenantId !== 'string') return [];
  const anchors = event.changes?.after?.anchors;
  if (!Array.isArray(anchors)) return [];
  const out: ChainAnchor[] = [];
  for (const a of anchors as Partial<PurgeAnchor>[]) {
    if (!a || !Number.isInteger(a.partition) || typeof a.chainSeq !== 'string' || !/^\d{1,19}$/.test(a.chainSeq) || typeof a.hash !== 'string' || !HEX64.test(a.hash)) continue;
    out.push({ tenantId: event.tenantId, partition: a.partition as number, chainSeq: a.chainSeq, hash: a.hash });
  }
  return out;
}

/** The details of a stored `retention.purged` record, or undefined for any other event. */
export function retentionPurgedDetails(eventJson: string): RetentionPurgedDetails | undefined {
  try {
    const event = JSON.parse(eventJson);
    if (event?.type !== RETENTION_PURGED) return undefined;
    const after = event.changes?.after;
    return after && typeof after === 'object' && typeof after.purgeId === 'string' ? (after as RetentionPurgedDetails) : undefined;
  } catch {
    return undefined;
  }
}

export const ARCHIVE_FORMAT = 'agent-ledger.archive.v1';

/** Per chain, what an archive holds. */
export interface ManifestChain extends PurgeCut {
  /** prev_hash of the first row: the hash the chain had before this archive (the previous archive's last, or the genesis hash). */
  firstPrevHash: string;
}

/** The manifest written next to each archive object (docs/retention.md). */
export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  tenantId: string;
  purgeId: string;
  ordinal: number;
  object: string;
  sha256: string;
  bytes: number;
  events: number;
  recordedFrom: string | null;
  recordedTo: string | null;
  horizon: string;
  chains: ManifestChain[];
  /** The signed checkpoint that covers the last archived row of every chain. */
  checkpoint: Checkpoint;
}

