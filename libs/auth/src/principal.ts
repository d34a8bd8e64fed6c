import type { ApiKeyScope } from '@agent-ledger/persistence';

/** Who is calling: an API key of one tenant with its scopes, or the operator's root key. */
export type Principal =
  | { kind: 'api-key'; keyId: string; tenantId: string; scopes: readonly ApiKeyScope[] }
  | { kind: 'root' };

/** The request fields the guards read and set (Express request, typed narrowly). */
export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The client's address as Express resolves it (trust proxy setting), else the socket's. */
  ip?: string;
  socket?: { remoteAddress?: string };
  body?: unknown;
  principal?: Principal;
}
