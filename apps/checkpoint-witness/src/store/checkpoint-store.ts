import { mkdir, open, readdir, readFile, stat, truncate, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { canonicalJson, validateCheckpoint, type Checkpoint } from '@agent-ledger/contracts';
import { createLogger } from '@agent-ledger/telemetry';
import { TenantHistory, type ChainConflict } from './tenant-history';

const TENANT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;
export const CONFLICTS_DIR = 'conflicts';
export const REFUSED_FILE = 'refused.jsonl';

export type AppendOutcome = { outcome: 'stored' } | { outcome: 'duplicate' } | { outcome: 'conflict'; conflicts: ChainConflict[] };

/** A message that was not stored as a trusted checkpoint, and why. */
export interface RefusedRecord {
  receivedAt: string;
  code: string;
  reason: string;
  topic: string;
  partition: number;
  offset: string;
  tenantId?: string;
  checkpointId?: string;
  checkpoint?: Checkpoint;
}

/**
 * The witness's append-only store, one directory:
 * - `<tenantId>.jsonl`: the tenant's trusted checkpoints, one canonical JSON line each (as on the topic);
 * - `conflicts/<tenantId>.jsonl`: trusted checkpoints that contradict held ones (`{detectedAt, conflicts, checkpoint}`);
 * - `refused.jsonl`: messages refused (bad signature, unknown key, not a checkpoint).
 *
 * Files are opened for appending only; a batch is fsynced before `append` resolves, so the caller
 * commits its Kafka offsets only once the batch is durable. Nothing written is ever rewritten: the
 * only truncation is of a torn last line (a write cut by a crash, never acknowledged) at open.
 * The in-memory index (ids, signed positions per tenant) is rebuilt from the files at open.
 */
export class CheckpointStore {
  private readonly log = createLogger(CheckpointStore.name);
  private readonly tenants = new Map<string, TenantHistory>();
  /** Checkpoint ids recorded as conflicts, per tenant. */
  private readonly conflictIds = new Map<string, Set<string>>();

  constructor(readonly dir: string) {}

  async open(): Promise<void> {
    await mkdir(path.join(this.dir, CONFLICTS_DIR), { recursive: true });
    for (const name of await readdir(this.dir)) {
      const m = TENANT_FILE.exec(name);
      if (!m) continue;
      const history = this.historyOf(m[1]);
      for (const line of await readLines(path.join(this.dir, name), this.log)) {
        const v = validateCheckpoint(safeParse(line));
        if (v.ok) history.add(v.value);
      }
    }
    for (const name of await readdir(path.join(this.dir, CONFLICTS_DIR))) {
      const m = TENANT_FILE.exec(name);
      if (!m) continue;
      for (const line of await readLines(path.join(this.dir, CONFLICTS_DIR, name), this.log)) {
        const id = (safeParse(line) as { checkpoint?: { checkpointId?: unknown } } | undefined)?.checkpoint?.checkpointId;
        if (typeof id === 'string') this.conflictIdsOf(m[1]).add(id);
      }
    }
    await readLines(path.join(this.dir, REFUSED_FILE), this.log);
  }

  /** Tenants with at least one checkpoint held. */
  get tenantCount(): number {
    return [...this.tenants.values()].filter((t) => t.ids.size > 0).length;
  }

  /** Tenants with at least one conflicting checkpoint recorded. */
  get tenantsWithConflicts(): number {
    return [...this.conflictIds.values()].filter((s) => s.size > 0).length;
  }

  /** The last (by createdAt) trusted checkpoint held for a tenant. */
  lastOf(tenantId: string): Checkpoint | undefined {
    return this.tenants.get(tenantId)?.last;
  }

  /**
   * Appends trusted (signature-checked) checkpoints, in order; resolves once they are on disk.
   * A checkpoint already held (same id, stored or conflicting) is not written again.
   */
  async append(checkpoints: Checkpoint[], refused: RefusedRecord[] = []): Promise<AppendOutcome[]> {
    const writes = new Map<string, string[]>();
    const push = (file: string, line: string) => (writes.get(file) ?? writes.set(file, []).get(file)!).push(line);
    const outcomes: AppendOutcome[] = [];
    // Each checkpoint is checked against what is held plus what this batch added before it.
    for (const cp of checkpoints) {
      const history = this.historyOf(cp.tenantId);
      const conflictIds = this.conflictIdsOf(cp.tenantId);
      if (history.ids.has(cp.checkpointId) || conflictIds.has(cp.checkpointId)) {
        outcomes.push({ outcome: 'duplicate' });
        continue;
      }
      const conflicts = history.conflictsOf(cp);
      if (conflicts.length) {
        conflictIds.add(cp.checkpointId);
        push(path.join(CONFLICTS_DIR, `${cp.tenantId}.jsonl`), canonicalJson({ detectedAt: new Date().toISOString(), conflicts, checkpoint: cp }));
        outcomes.push({ outcome: 'conflict', conflicts });
      } else {
        history.add(cp);
        push(`${cp.tenantId}.jsonl`, canonicalJson(cp));
        outcomes.push({ outcome: 'stored' });
      }
    }
    for (const r of refused) push(REFUSED_FILE, canonicalJson(r as unknown as Record<string, unknown>));
    try {
      for (const [file, lines] of writes) await appendDurably(path.join(this.dir, file), lines);
    } catch (err) {
      // Not durable: forget what this batch added, so the redelivered batch is written again.
      await this.reload();
      throw err;
    }
    return outcomes;
  }

  /** A tenant's trusted checkpoints as stored lines (canonical JSON), oldest (createdAt) first. */
  async linesOf(tenantId: string): Promise<string[]> {
    const lines = await readLines(path.join(this.dir, `${tenantId}.jsonl`), undefined);
    const dated = lines.map((line, i) => ({ line, i, at: Date.parse((safeParse(line) as { createdAt?: string } | undefined)?.createdAt ?? '') }));
    return dated.sort((a, b) => (a.at - b.at) || (a.i - b.i)).map((d) => d.line);
  }

  private async reload(): Promise<void> {
    this.tenants.clear();
    this.conflictIds.clear();
    await this.open().catch((err) => this.log.error({ err }, 'reloading the witness store failed'));
  }

  private historyOf(tenantId: string): TenantHistory {
    return this.tenants.get(tenantId) ?? this.tenants.set(tenantId, new TenantHistory()).get(tenantId)!;
  }

  private conflictIdsOf(tenantId: string): Set<string> {
    return this.conflictIds.get(tenantId) ?? this.conflictIds.set(tenantId, new Set()).get(tenantId)!;
  }
}

function safeParse(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** Complete lines of a file (none when it does not exist); a torn last line is cut off when `log` is given (at open). */
async function readLines(file: string, log: ReturnType<typeof createLogger> | undefined): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const end = text.lastIndexOf('\n') + 1;
  if (end < text.length && log) {
    log.warn({ file, bytes: text.length - end }, 'cutting a torn last line (a write interrupted by a crash, never acknowledged)');
    await truncate(file, Buffer.byteLength(text.slice(0, end)));
  }
  return text.slice(0, end).split('\n').filter(Boolean);
}

/** Appends lines and fsyncs the file (and its directory when the file is new). */
async function appendDurably(file: string, lines: string[]): Promise<void> {
  const isNew = await stat(file).then(() => false, () => true);
  let fh: FileHandle | undefined;
  try {
    fh = await open(file, 'a');
    await fh.writeFile(lines.map((l) => `${l}\n`).join(''), 'utf8');
    await fh.sync();
  } finally {
    await fh?.close();
  }
  if (isNew) await syncDirectory(path.dirname(file));
}

async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
