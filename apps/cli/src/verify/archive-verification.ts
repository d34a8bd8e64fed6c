import { createHash } from 'node:crypto';
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { archiveStoreFromLocation, type ArchiveStore } from '@agent-ledger/archive-store';
import { ARCHIVE_FORMAT, retentionPurgedDetails, type ArchiveManifest, type ChainAnchor, type RetentionPurgedDetails } from '@agent-ledger/integrity';
import type { CliIo } from '../cli.context';
import { UsageError } from '../errors/cli.error';
import type { LedgerClient } from '../http/ledger.client';
import { recordsOf, verifyOffline, type OfflineFailure, type OfflineReport } from './offline-verifier';
import { download, localFileError, tenantOfFiles } from './witness-verification';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface ArchiveVerificationInput {
  /** A directory (or file:// URL) or `s3://bucket/prefix`. */
  archive: string;
  tenant?: string;
  /** Offline: the exported live rows and checkpoints. Absent: downloaded through `client`. */
  events?: string;
  checkpoints?: string;
  client?: LedgerClient;
  io: CliIo;
  publicKeys: Parameters<typeof verifyOffline>[2];
}

export interface ArchiveVerificationReport extends OfflineReport {
  archive: { location: string; tenantId: string; objects: number; events: number };
}

interface ReadArchive {
  key: string;
  manifest?: ArchiveManifest;
  manifestSha256: string;
}

/**
 * Verifies a tenant's whole record: its archives, in order, then its live rows, as one set of chains
 * against the signed checkpoints. Each archive object must hash to what its manifest and the purge's
 * `retention.purged` record say, sit where the record puts it, and link to the archive before it;
 * an archive the records name that is not there is missing, one they do not name is unrecorded.
 */
export async function verifyWithArchive(input: ArchiveVerificationInput): Promise<ArchiveVerificationReport> {
  let store: ArchiveStore;
  try {
    store = archiveStoreFromLocation(input.archive, input.io.env.archiveEnv ?? {});
  } catch (err) {
    throw new UsageError(`--archive: ${(err as Error).message}`);
  }
  const work = await mkdtemp(path.join(tmpdir(), 'agent-ledger-archive-'));
  try {
    const checkpoints = input.checkpoints ?? (await download(input, '/v1/integrity/checkpoints', {}, path.join(work, 'checkpoints.jsonl'), 'checkpoints'));
    const live = input.events ?? (await download(input, '/v1/integrity/export', { format: 'jsonl' }, path.join(work, 'chain.jsonl'), 'chain rows'));
    const tenantId = input.tenant ?? (await tenantOfFiles([live, checkpoints]));
    if (!tenantId || !UUID.test(tenantId)) throw new UsageError('verify --archive needs --tenant <uuid>: the tenant could not be read from the rows or checkpoints');

    const failures: OfflineFailure[] = [];
    const combined = path.join(work, 'combined.jsonl');
    await writeFile(combined, '', { mode: 0o600 });
    const archived = new Map<number, bigint>(); // partition → last archived chain_seq
    const read: ReadArchive[] = [];
    let events = 0;
    const manifests = (await store.list(`tenants/${tenantId}/`)).filter((k) => k.endsWith('.manifest.json'));
    for (const key of manifests) {
      const bytes = await store.get(key);
      if (!bytes) continue;
      const entry: ReadArchive = { key, manifestSha256: sha256(bytes) };
      read.push(entry);
      try {
        entry.manifest = JSON.parse(bytes.toString('utf8')) as ArchiveManifest;
      } catch {
        failures.push({ kind: 'archive_altered', tenantId, reason: `${key} is not a JSON manifest` });
        continue;
      }
      const m = entry.manifest;
      if (m.format !== ARCHIVE_FORMAT || m.tenantId !== tenantId || typeof m.object !== 'string') {
        failures.push({ kind: 'archive_altered', tenantId, reason: `${key} is not a manifest of tenant ${tenantId} (format ${ARCHIVE_FORMAT})` });
        continue;
      }
      if (m.object.replace(/\.jsonl\.gz$/, '.manifest.json') !== key) failures.push({ kind: 'archive_unrecorded', tenantId, reason: `${key} names object ${m.object}: the archive is out of its place` });
      const body = await store.get(m.object);
      if (!body) {
        failures.push({ kind: 'archive_missing', tenantId, reason: `archive object ${m.object} (purge ${m.ordinal}) is not in ${store.location}` });
        continue;
      }
      if (sha256(body) !== m.sha256) {
        failures.push({ kind: 'archive_altered', tenantId, reason: `archive object ${m.object} does not hash to the SHA-256 its manifest records: its bytes were changed` });
        continue;
      }
      let text: string;
      try {
        text = gunzipSync(body).toString('utf8');
      } catch {
        failures.push({ kind: 'archive_altered', tenantId, reason: `archive object ${m.object} is not gzip` });
        continue;
      }
      await appendFile(combined, text);
      events += m.events;
      for (const c of m.chains ?? []) archived.set(c.partition, BigInt(c.toSeq) > (archived.get(c.partition) ?? 0n) ? BigInt(c.toSeq) : (archived.get(c.partition) ?? 0n));
    }
    await appendLiveRows(live, combined, archived);

    const records = (await recordsOf(combined)).map(retentionPurgedDetails).filter((d): d is RetentionPurgedDetails => !!d);
    failures.push(...crossCheck(records, read, tenantId));
    // Only purges that kept no archive leave a gap the chains may jump.
    const purged: ChainAnchor[] = records.filter((r) => r.archive === null).flatMap((r) => r.cuts.map((c) => ({ tenantId, partition: c.partition, chainSeq: c.toSeq, hash: c.lastHash })));
    const report = await verifyOffline(combined, checkpoints, input.publicKeys, { purged });
    const all = [...failures, ...report.failures];
    const status = all.length ? 'failed' : report.status;
    return {
      ...report,
      ok: status === 'ok',
      status,
      unverifiedReasons: status === 'unverified' ? report.unverifiedReasons : [],
      failures: all,
      firstFailure: failures[0] ?? report.firstFailure,
      archive: { location: store.location, tenantId, objects: read.length, events },
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Every archive a record names is there, with the bytes it recorded; every archive there is named. */
function crossCheck(records: RetentionPurgedDetails[], read: ReadArchive[], tenantId: string): OfflineFailure[] {
  const failures: OfflineFailure[] = [];
  const byManifest = new Map(read.map((r) => [r.key, r]));
  const named = new Set<string>();
  for (const rec of records) {
    if (!rec.archive) continue;
    named.add(rec.archive.manifest);
    const found = byManifest.get(rec.archive.manifest);
    if (!found) {
      failures.push({ kind: 'archive_missing', tenantId, reason: `purge ${rec.ordinal} (${rec.purgeId}) archived ${rec.archive.object}, whose manifest is not in the archive store` });
      continue;
    }
    if (found.manifestSha256 !== rec.archive.manifestSha256) failures.push({ kind: 'archive_altered', tenantId, reason: `manifest ${found.key} differs from the one purge ${rec.ordinal} recorded` });
    else if (found.manifest && (found.manifest.sha256 !== rec.archive.sha256 || found.manifest.ordinal !== rec.ordinal || found.manifest.purgeId !== rec.purgeId)) {
      failures.push({ kind: 'archive_unrecorded', tenantId, reason: `manifest ${found.key} does not match purge ${rec.ordinal}'s record` });
    }
  }
  for (const r of read) {
    if (!named.has(r.key)) failures.push({ kind: 'archive_unrecorded', tenantId, reason: `${r.key} is in the archive store but no retention.purged record names it` });
  }
  return failures;
}

/** Appends the live rows after the archives, leaving out those an archive holds already (a purge recorded but not yet deleted). */
async function appendLiveRows(live: string, combined: string, archived: Map<number, bigint>): Promise<void> {
  const stream = createReadStream(live, { encoding: 'utf8' });
  let chunk = '';
  try {
    for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
      if (!line.trim()) continue;
      let skip = false;
      try {
        const row = JSON.parse(line) as { partition?: number; chainSeq?: string };
        const last = typeof row.partition === 'number' ? archived.get(row.partition) : undefined;
        skip = last !== undefined && typeof row.chainSeq === 'string' && BigInt(row.chainSeq) <= last;
      } catch {
        // kept: the verification names a malformed line
      }
      if (!skip) chunk += `${line}\n`;
      if (chunk.length > 1 << 20) {
        await appendFile(combined, chunk);
        chunk = '';
      }
    }
  } catch (err) {
    localFileError(live)(err as NodeJS.ErrnoException);
  } finally {
    stream.destroy();
  }
  if (chunk) await appendFile(combined, chunk);
}
