import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { KeyObject } from 'node:crypto';
import type { Checkpoint } from '@agent-ledger/contracts';
import { purgeAnchorsOf, RETENTION_PURGED, verifyChains, type ChainAnchor, type StoredRow, type TrustedKey, type VerificationFailure, type VerificationReport } from '@agent-ledger/integrity';
import { CliError, ExitCode } from '../errors/cli.error';
import { MalformedLineError, parseChainRow, parseCheckpointLine } from './chain-file';

/** A failure of offline verification, with the file and line it is about when there is one. */
export interface OfflineFailure extends Omit<Partial<VerificationFailure>, 'kind'> {
  kind: VerificationFailure['kind'] | 'malformed_line';
  reason: string;
  file?: string;
  line?: number;
}

export interface OfflineReport extends Omit<VerificationReport, 'firstFailure' | 'failures'> {
  firstFailure?: OfflineFailure;
  failures: OfflineFailure[];
}

/** Lines of a file, numbered from 1, blank lines skipped; a missing or unreadable file is a LocalFile error. */
async function* numberedLines(file: string): AsyncGenerator<[number, string]> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  try {
    await opened;
  } catch (err) {
    throw new CliError(ExitCode.LocalFile, `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let n = 0;
  for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
    n += 1;
    if (line.trim() === '') continue;
    yield [n, line];
  }
}

/**
 * Verifies an exported chain file against a checkpoints file and trusted public keys, streaming
 * both (memory grows with the number of chains, not rows). A line that is not a row or checkpoint
 * is itself a failure (the file was altered), named by file and line; a failing row is located
 * in the events file by a second pass.
 */
export async function verifyOffline(
  eventsFile: string,
  checkpointsFile: string,
  publicKeys: readonly (KeyObject | TrustedKey)[],
  options: { purged?: readonly ChainAnchor[] } = {},
): Promise<OfflineReport> {
  const malformed: OfflineFailure[] = [];
  // Where chains go on after a purge: the anchors of the file's retention.purged records (docs/retention.md).
  const purged = options.purged ?? (await recordsOf(eventsFile)).flatMap((r) => purgeAnchorsOf(r));

  async function* checkpoints(): AsyncGenerator<Checkpoint> {
    for await (const [line, text] of numberedLines(checkpointsFile)) {
      try {
        yield parseCheckpointLine(text);
      } catch (err) {
        if (!(err instanceof MalformedLineError)) throw err;
        malformed.push({ kind: 'malformed_line', file: checkpointsFile, line, reason: `line ${line} is not a checkpoint: ${err.message}` });
      }
    }
  }

  async function* rows(): AsyncGenerator<StoredRow> {
    for await (const [line, text] of numberedLines(eventsFile)) {
      try {
        yield parseChainRow(text);
      } catch (err) {
        if (!(err instanceof MalformedLineError)) throw err;
        malformed.push({ kind: 'malformed_line', file: eventsFile, line, reason: `line ${line} is not a stored row: ${err.message}` });
      }
    }
  }

  const report = await verifyChains(rows(), checkpoints(), publicKeys, { maxFailures: 20, purged });
  const located: OfflineFailure[] = await locate(eventsFile, report.failures);
  // Checkpoint problems first (they are read first), then rows in file order, then what no line
  // can be named for (a chain that ends before a checkpoint says it should).
  const group = (f: OfflineFailure) => (f.file === checkpointsFile || (f.partition === undefined && f.line === undefined) ? 0 : f.line !== undefined ? 1 : 2);
  const failures = [...malformed, ...located].sort((a, b) => group(a) - group(b) || (a.line ?? 0) - (b.line ?? 0));
  const firstFailure = failures[0];
  const status = malformed.length ? 'failed' : report.status;
  return { ...report, ok: status === 'ok', status, unverifiedReasons: status === 'unverified' ? report.unverifiedReasons : [], firstFailure, failures };
}

/** Adds the events file's line number to each failure that names a row. */
async function locate(eventsFile: string, failures: VerificationFailure[]): Promise<OfflineFailure[]> {
  const key = (f: { partition?: number; chainSeq?: string | number | bigint; eventId?: string | null }) =>
    f.partition === undefined || f.chainSeq === undefined ? undefined : `${f.partition}/${String(f.chainSeq)}/${f.eventId ?? ''}`;
  const wanted = new Set(failures.filter((f) => f.kind !== 'truncated').map(key).filter((k): k is string => k !== undefined));
  const found = new Map<string, number>();
  if (wanted.size) {
    for await (const [line, text] of numberedLines(eventsFile)) {
      let k: string | undefined;
      try {
        k = key(parseChainRow(text));
      } catch {
        continue;
      }
      if (k && wanted.has(k) && !found.has(k)) found.set(k, line);
      if (found.size === wanted.size) break;
    }
  }
  return failures.map((f) => {
    const k = f.kind === 'truncated' ? undefined : key(f);
    const line = k ? found.get(k) : undefined;
    return line ? { ...f, file: eventsFile, line } : { ...f };
  });
}

/** The `eventJson` of every retention.purged row of a chain file (a cheap textual pre-filter, then parsed). */
export async function recordsOf(eventsFile: string): Promise<string[]> {
  const out: string[] = [];
  for await (const [, text] of numberedLines(eventsFile)) {
    if (!text.includes(RETENTION_PURGED)) continue;
    try {
      const row = parseChainRow(text);
      if (row.type === RETENTION_PURGED) out.push(row.eventJson);
    } catch {
      // the verification names a malformed line
    }
  }
  return out;
}
