/** The first of `paths` (dotted) that is set on `obj`: tolerant reading of shapes that may vary. */
export function pick(obj: unknown, ...paths: string[]): unknown {
  for (const path of paths) {
    let v: unknown = obj;
    for (const key of path.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
    if (v !== undefined && v !== null && v !== '') return v;
  }
  return undefined;
}

/** A cell: strings as they are, numbers and booleans printed, objects as compact JSON, nothing as "-". */
export function text(value: unknown): string {
  if (value === undefined || value === null || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** Cuts a cell to `max` characters with an ellipsis (tables only; --json prints everything). */
export function truncate(value: string, max: number): string {
  return value.length <= max ? value : `${value.slice(0, Math.max(0, max - 1))}…`;
}

/** `2026-03-01T09:15:02.123Z` → `2026-03-01 09:15:02Z` (UTC); anything unparseable as it is. */
export function formatTime(value: unknown): string {
  if (typeof value !== 'string' && !(value instanceof Date)) return text(value);
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return text(value);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** 850 → `850ms`, 1234 → `1.23s`, 125000 → `2m05s`. */
export function formatDuration(value: unknown): string {
  const ms = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof ms !== 'number' || !Number.isFinite(ms)) return text(value);
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return minutes < 60 ? `${minutes}m${String(seconds).padStart(2, '0')}s` : `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** 1536 → `1.5 KiB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** 1234567 → `1,234,567`. */
export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}
