import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Checkpoint } from '@agent-ledger/contracts';
import { ARCHIVE_FORMAT, hashEvent, type ArchivedRow, type ArchiveManifest, type ManifestChain, type PurgeCut } from '@agent-ledger/integrity';

export interface BuiltArchive {
  body: Buffer;
  manifest: ArchiveManifest;
}

export class BrokenChainError extends Error {}

const stamp = (iso: string | null) => (iso ?? '').replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** Object keys of a tenant's archives: `tenants/<tenant>/<ordinal>_<first>_<last recorded>.jsonl.gz` and its `.manifest.json`. */
export function archiveKeys(tenantId: string, ordinal: number, recordedFrom: string | null, recordedTo: string | null): { object: string; manifest: string } {
  const base = `tenants/${tenantId}/${String(ordinal).padStart(6, '0')}_${stamp(recordedFrom)}_${stamp(recordedTo)}`;
  return { object: `${base}.jsonl.gz`, manifest: `${base}.manifest.json` };
}

/**
 * Builds a purge's archive: one JSON line per row, chain by chain in chain_seq order, gzip-compressed
 * (deterministically: the same rows give the same bytes, so a resumed purge rewrites the same object).
 * Each cut's rows are checked on the way — contiguous, linked, re-hashing, ending at the signed head —
 * and a chain that is not is never archived (nor purged).
 */
export async function buildArchive(
  purge: { tenantId: string; purgeId: string; ordinal: number; horizon: string; cuts: PurgeCut[] },
  rowsOf: (cut: PurgeCut) => AsyncIterable<ArchivedRow>,
  checkpoint: Checkpoint,
): Promise<BuiltArchive> {
  const lines: string[] = [];
  const chains: ManifestChain[] = [];
  let recordedFrom: string | null = null;
  let recordedTo: string | null = null;
  for (const cut of purge.cuts) {
    let expected = BigInt(cut.fromSeq);
    let prev: string | undefined;
    let firstPrevHash = '';
    for await (const row of rowsOf(cut)) {
      const at = `tenant ${purge.tenantId}, partition ${cut.partition}, chain_seq ${row.chainSeq}`;
      if (BigInt(row.chainSeq) !== expected) throw new BrokenChainError(`${at}: expected chain_seq ${expected}`);
      if (prev === undefined) firstPrevHash = row.prevHash;
      else if (row.prevHash !== prev) throw new BrokenChainError(`${at}: prev_hash does not link to the row before`);
      if (hashEvent(Buffer.from(row.prevHash, 'hex'), row.eventJson).toString('hex') !== row.hash) throw new BrokenChainError(`${at}: the hash does not recompute`);
      if (expected === BigInt(cut.fromSeq) && row.hash !== cut.firstHash) throw new BrokenChainError(`${at}: differs from the planned first row`);
      lines.push(JSON.stringify(row));
      if (!recordedFrom || row.recordedAt < recordedFrom) recordedFrom = row.recordedAt;
      if (!recordedTo || row.recordedAt > recordedTo) recordedTo = row.recordedAt;
      prev = row.hash;
      expected += 1n;
    }
    if (expected !== BigInt(cut.toSeq) + 1n) throw new BrokenChainError(`tenant ${purge.tenantId}, partition ${cut.partition}: rows end at chain_seq ${expected - 1n}, the cut at ${cut.toSeq}`);
    if (prev !== cut.lastHash) throw new BrokenChainError(`tenant ${purge.tenantId}, partition ${cut.partition}: the last row's hash differs from the one checkpoint ${checkpoint.checkpointId} signed`);
    chains.push({ ...cut, firstPrevHash });
  }
  const body = gzipSync(Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8'), { level: 9 });
  const { object } = archiveKeys(purge.tenantId, purge.ordinal, recordedFrom, recordedTo);
  const manifest: ArchiveManifest = {
    format: ARCHIVE_FORMAT,
    tenantId: purge.tenantId,
    purgeId: purge.purgeId,
    ordinal: purge.ordinal,
    object,
    sha256: sha256(body),
    bytes: body.length,
    events: lines.length,
    recordedFrom,
    recordedTo,
    horizon: purge.horizon,
    chains,
    checkpoint,
  };
  return { body, manifest };
}

/** The manifest as stored (stable key order as built, two-space indent) and its SHA-256. */
export function manifestBytes(manifest: ArchiveManifest): { bytes: Buffer; sha256: string } {
  const bytes = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
  return { bytes, sha256: sha256(bytes) };
}
