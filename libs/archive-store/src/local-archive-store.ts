import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { assertArchiveKey, assertArchivePrefix, TEMP_FILE_PATTERN } from './archive-key';
import { ArchiveStoreException, compareKeys, describeFailure, type ArchiveStore } from './archive-store';

const errnoOf = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | undefined)?.code;

/** Flushes a directory's entries (a new or renamed file) to disk. */
async function fsyncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Objects as files under one directory: key `a/b/c.gz` is `<dir>/a/b/c.gz`. A put writes
 * `.<name>.partial-<hex>` in the target's directory, fsyncs it, renames it over the target and
 * fsyncs the directory, so a reader sees the old object or the new one, never a part, and a
 * completed put survives a power loss.
 */
export class LocalArchiveStore implements ArchiveStore {
  readonly location: string;
  private readonly dir: string;

  /** `dir` must be absolute; it is created (with its parents) when missing. */
  constructor(dir: string) {
    if (typeof dir !== 'string' || !path.isAbsolute(dir)) {
      throw new ArchiveStoreException('invalid_location', `the archive directory must be an absolute path, got ${JSON.stringify(dir)}`);
    }
    this.dir = path.resolve(dir);
    this.location = pathToFileURL(this.dir).href;
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (err) {
      throw new ArchiveStoreException('store_unavailable', `could not create the archive directory ${this.location}: ${describeFailure(err)}`, {
        cause: err,
      });
    }
  }

  async put(key: string, body: Buffer, _contentType: string): Promise<void> {
    assertArchiveKey(key);
    const target = this.pathOf(key);
    const parent = path.dirname(target);
    const temp = path.join(parent, `.${path.basename(target)}.partial-${randomBytes(6).toString('hex')}`);
    let tempWritten = false;
    try {
      const firstCreated = await mkdir(parent, { recursive: true });
      const handle = await open(temp, 'wx', 0o644);
      tempWritten = true;
      try {
        await handle.writeFile(body);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, target);
      tempWritten = false;
      await fsyncDirectory(parent);
      // Directories this put created: each one's entry in its parent must reach the disk too.
      if (firstCreated) {
        const stop = path.dirname(firstCreated);
        for (let d = parent; d !== stop && d !== path.dirname(d); d = path.dirname(d)) await fsyncDirectory(path.dirname(d));
      }
    } catch (err) {
      if (tempWritten) await unlink(temp).catch(() => undefined);
      throw new ArchiveStoreException('store_unavailable', `could not write archive object "${key}" to ${this.location}: ${describeFailure(err)}`, {
        cause: err,
      });
    }
  }

  async get(key: string): Promise<Buffer | undefined> {
    assertArchiveKey(key);
    try {
      return await readFile(this.pathOf(key));
    } catch (err) {
      // ENOTDIR: a segment is an object, not a folder; EISDIR: the key is only a folder of other keys.
      const code = errnoOf(err);
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
      throw new ArchiveStoreException('store_unavailable', `could not read archive object "${key}" from ${this.location}: ${describeFailure(err)}`, {
        cause: err,
      });
    }
  }

  async list(prefix: string): Promise<string[]> {
    assertArchivePrefix(prefix);
    // Walk the deepest folder the prefix names completely; filter the rest of the prefix by name.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    const keys: string[] = [];
    try {
      await this.walk(folder, keys);
    } catch (err) {
      throw new ArchiveStoreException('store_unavailable', `could not list archive prefix "${prefix}" in ${this.location}: ${describeFailure(err)}`, {
        cause: err,
      });
    }
    return keys.filter((k) => k.startsWith(prefix)).sort(compareKeys);
  }

  private pathOf(key: string): string {
    return path.join(this.dir, ...key.split('/'));
  }

  /** Adds every object key under `folder` (a key-style relative path, '' for the root) to `keys`. */
  private async walk(folder: string, keys: string[]): Promise<void> {
    let entries;
    try {
      entries = await readdir(folder ? this.pathOf(folder) : this.dir, { withFileTypes: true });
    } catch (err) {
      const code = errnoOf(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      throw err;
    }
    for (const entry of entries) {
      const key = folder ? `${folder}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await this.walk(key, keys);
      else if (entry.isFile() && !TEMP_FILE_PATTERN.test(entry.name)) keys.push(key);
    }
  }
}
