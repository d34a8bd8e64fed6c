import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { CliIo } from '../cli.context';
import { CliError, ExitCode, UsageError } from '../errors/cli.error';
import type { LedgerClient } from '../http/ledger.client';
import { downloadTo } from '../output/download';
import { verifyOffline, type OfflineReport } from './offline-verifier';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface WitnessVerificationInput {
  /** The witness: its base URL (http/https) or its directory (or one tenant's .jsonl file). */
  witness: string;
  /** Bearer token of the witness's read endpoint (WITNESS_READ_TOKEN), when it requires one. */
  witnessToken?: string;
  tenant?: string;
  /** Offline: the exported rows and, optionally, the server's checkpoints. Absent: downloaded through `client`. */
  events?: string;
  checkpoints?: string;
  client?: LedgerClient;
  io: CliIo;
  publicKeys: Parameters<typeof verifyOffline>[2];
}

export interface WitnessVerificationReport extends OfflineReport {
  witness: { source: string; tenantId: string; checkpoints: number };
}

/**
 * Verifies the tenant's rows against the checkpoints the witness holds, together with the server's:
 * rows and checkpoints deleted or rewritten in the database are detected as long as the witness
 * holds a checkpoint past them. Online (no `events`), the server's checkpoints are fetched first,
 * then the witness's, then the rows — so every checkpoint covers rows the export holds.
 */
export async function verifyWithWitness(input: WitnessVerificationInput): Promise<WitnessVerificationReport> {
  const work = await mkdtemp(path.join(tmpdir(), 'agent-ledger-verify-'));
  try {
    const serverCheckpoints = input.checkpoints ?? (input.events ? undefined : await download(input, '/v1/integrity/checkpoints', {}, path.join(work, 'server.checkpoints.jsonl'), 'checkpoints'));
    const tenantId = input.tenant ?? (await tenantOfFiles([input.events, serverCheckpoints].filter((f): f is string => !!f)));
    if (!tenantId) throw new UsageError('verify --witness needs --tenant <uuid>: the tenant could not be read from the rows or checkpoints');
    if (!UUID.test(tenantId)) throw new UsageError('--tenant must be a lowercase UUID');
    const witnessLines = await readWitnessCheckpoints(input.witness, tenantId, input);
    const events = input.events ?? (await download(input, '/v1/integrity/export', { format: 'jsonl' }, path.join(work, 'chain.jsonl'), 'chain rows'));
    const merged = path.join(work, 'checkpoints.jsonl');
    const lines = mergeLines(serverCheckpoints ? await readFile(serverCheckpoints, 'utf8').catch(localFileError(serverCheckpoints)) : '', witnessLines);
    await writeFile(merged, lines.map((l) => `${l}\n`).join(''), { mode: 0o600 });
    const report = await verifyOffline(events, merged, input.publicKeys);
    return { ...report, witness: { source: input.witness, tenantId, checkpoints: witnessLines.length } };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The witness's checkpoints of a tenant, one JSON line each. */
export async function readWitnessCheckpoints(source: string, tenantId: string, o: { witnessToken?: string; io: CliIo }): Promise<string[]> {
  if (/^https?:\/\//i.test(source)) {
    const url = `${source.replace(/\/+$/, '')}/v1/checkpoints/${tenantId}`;
    let res: Response;
    try {
      res = await (o.io.fetch ?? fetch)(url, {
        headers: { accept: 'application/x-ndjson', ...(o.witnessToken ? { authorization: `Bearer ${o.witnessToken}` } : {}) },
        signal: o.io.signal ? AbortSignal.any([o.io.signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000),
      });
    } catch (err) {
      throw new CliError(ExitCode.Unreachable, `the witness at ${source} could not be reached: ${(err as Error).message}`);
    }
    if (res.status === 401 || res.status === 403) throw new CliError(ExitCode.AuthFailed, `the witness at ${source} refused the request (${res.status}): pass --witness-token`);
    if (!res.ok) throw new CliError(ExitCode.ApiError, `the witness at ${source} answered ${res.status}`);
    return splitLines(await res.text());
  }
  const info = await stat(source).catch(localFileError(source));
  const file = info.isDirectory() ? path.join(source, `${tenantId}.jsonl`) : source;
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    // A directory without the tenant's file: the witness holds no checkpoint of it.
    if (err.code === 'ENOENT' && info.isDirectory()) return '';
    return localFileError(file)(err);
  });
  return splitLines(text);
}

/** The server's checkpoint lines, then the witness's that are not the same line already. */
function mergeLines(serverText: string, witnessLines: string[]): string[] {
  const server = splitLines(serverText);
  const seen = new Set(server.map(normalized));
  return [...server, ...witnessLines.filter((l) => !seen.has(normalized(l)))];
}

/** A checkpoint line as canonical as possible: the server exports `{payload, signature}` rows. */
function normalized(line: string): string {
  try {
    const v = JSON.parse(line) as Record<string, unknown>;
    return typeof v.checkpointId === 'string' ? `${v.checkpointId}:${v.signature}` : typeof v.payload === 'string' ? `${(JSON.parse(v.payload) as { checkpointId?: string }).checkpointId}:${v.signature}` : line;
  } catch {
    return line;
  }
}

const splitLines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);

/** The tenantId of the first line that names one, across the files in order. */
export async function tenantOfFiles(files: string[]): Promise<string | undefined> {
  for (const file of files) {
    const stream = createReadStream(file, { encoding: 'utf8' });
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) {
        const id = tenantOfLine(line);
        if (id) return id;
      }
    } catch (err) {
      localFileError(file)(err as NodeJS.ErrnoException);
    } finally {
      stream.destroy();
    }
  }
  return undefined;
}

function tenantOfLine(line: string): string | undefined {
  try {
    const v = JSON.parse(line) as { tenantId?: unknown; payload?: unknown };
    if (typeof v.tenantId === 'string') return v.tenantId;
    if (typeof v.payload === 'string') return (JSON.parse(v.payload) as { tenantId?: string }).tenantId;
  } catch {
    // not a JSON line: the verification names it
  }
  return undefined;
}

export async function download(input: Pick<WitnessVerificationInput, 'client' | 'io'>, apiPath: string, query: Record<string, string>, out: string, label: string): Promise<string> {
  const client = input.client;
  if (!client) throw new UsageError('verify --witness needs --events (offline) or a connection to the audit API');
  const res = await client.open(apiPath, query, { accept: 'application/x-ndjson' }, input.io.signal);
  await downloadTo(res, { out, format: 'jsonl', stdout: input.io.stdout, stderr: input.io.stderr, progress: false, label, signal: input.io.signal, transferError: (err) => client.transferError(err) });
  return out;
}

export const localFileError = (file: string) => (err: NodeJS.ErrnoException): never => {
  throw new CliError(ExitCode.LocalFile, `cannot read ${file}: ${err.code ?? err.message}`);
};
