/**
 * What a database error says about the request, from its SQLSTATE (PostgreSQL) or its network
 * error code (the driver):
 * - `unavailable`: the database cannot be reached or is shutting down, restarting or overloaded; a
 *   retry later may succeed (503 with Retry-After);
 * - `data`: PostgreSQL refused a value (class 22, data exception: a malformed uuid, a date out of
 *   range, an invalid byte sequence) — a value that validation should have refused (400).
 */
export type DatabaseErrorClass = 'unavailable' | 'data';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);
const UNAVAILABLE_MESSAGES = /connection terminated|terminating connection|timeout exceeded when trying to connect|connection is not established|client has encountered a connection error|not connected|the database system is (starting up|shutting down|in recovery mode)|Connection refused/i;

function codeOf(err: object): string | undefined {
  const own = (err as { code?: unknown }).code;
  if (typeof own === 'string') return own;
  const driver = (err as { driverError?: { code?: unknown } }).driverError?.code;
  return typeof driver === 'string' ? driver : undefined;
}

export function classifyDatabaseError(err: unknown): DatabaseErrorClass | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const code = codeOf(err);
  if (code && NETWORK_CODES.has(code)) return 'unavailable';
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    // 08 connection exception, 53 insufficient resources, 57P0x shutdown / cannot connect now,
    // 57014 statement timeout, 40001/40P01 serialization failure and deadlock (a retry succeeds).
    if (/^(08|53)/.test(code) || /^57P0[1-4]$/.test(code) || code === '57014' || code === '40001' || code === '40P01') return 'unavailable';
    if (code.startsWith('22')) return 'data';
  }
  const message = (err as { message?: unknown }).message;
  if (typeof message === 'string' && UNAVAILABLE_MESSAGES.test(message)) return 'unavailable';
  return undefined;
}
