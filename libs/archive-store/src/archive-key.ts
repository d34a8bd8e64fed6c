import { ArchiveStoreException } from './archive-store';

/** S3's limit for a whole key; a single path segment is held to a file name's 255 bytes. */
const MAX_KEY_BYTES = 1024;
const MAX_SEGMENT_BYTES = 255;

/**
 * The local store writes `.<name>.partial-<12 hex>` next to the object and renames it; names of
 * that shape are reserved so a listing can skip a write in progress (or one a crash left behind).
 */
export const TEMP_FILE_PATTERN = /^\..*\.partial-[0-9a-f]{12}$/;

/** Why a key is refused, or undefined when it is a safe relative `/`-separated name. */
function keyProblem(key: string, { allowTrailingSlash }: { allowTrailingSlash: boolean }): string | undefined {
  if (typeof key !== 'string') return 'it is not a string';
  if (key.includes('\0')) return 'it contains a NUL character';
  if (key.includes('\\')) return 'it contains a backslash (keys are /-separated)';
  if (key.startsWith('/')) return 'it is absolute (starts with /)';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `it is longer than ${MAX_KEY_BYTES} bytes`;
  const segments = key.split('/');
  if (allowTrailingSlash && segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  for (const segment of segments) {
    if (segment === '') return 'it has an empty segment (// or a trailing /)';
    if (segment === '..' || segment === '.') return `it has a "${segment}" segment`;
    if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
  }
  if (TEMP_FILE_PATTERN.test(segments[segments.length - 1]!)) return 'its last segment has the form reserved for temporary files';
  return undefined;
}

const shown = (key: unknown) => JSON.stringify(typeof key === 'string' && key.length > 200 ? `${key.slice(0, 200)}…` : key);

/** Throws `invalid_key` unless `key` is a non-empty relative name without `.`/`..`/empty segments, backslashes or NUL. */
export function assertArchiveKey(key: string): void {
  const problem = key === '' ? 'it is empty' : keyProblem(key, { allowTrailingSlash: false });
  if (problem) throw new ArchiveStoreException('invalid_key', `invalid archive key ${shown(key)}: ${problem}`);
}

/** Like {@link assertArchiveKey}, but `''` (everything) and a trailing `/` are allowed. */
export function assertArchivePrefix(prefix: string): void {
  if (prefix === '') return;
  const problem = keyProblem(prefix, { allowTrailingSlash: true });
  if (problem) throw new ArchiveStoreException('invalid_key', `invalid archive prefix ${shown(prefix)}: ${problem}`);
}
