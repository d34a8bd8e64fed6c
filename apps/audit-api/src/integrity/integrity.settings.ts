import type { AuditApiConfig } from '../config/audit-api.config';

export const INTEGRITY_SETTINGS = Symbol('INTEGRITY_SETTINGS');

/** Where verification reads the external checkpoint log (absent: the database's checkpoints only). */
export interface IntegritySettings {
  witnessUrl?: string;
  witnessToken?: string;
  witnessTimeoutMs: number;
}

export const integritySettings = (config: AuditApiConfig): IntegritySettings => ({
  witnessUrl: config.LEDGER_WITNESS_URL,
  witnessToken: config.LEDGER_WITNESS_TOKEN,
  witnessTimeoutMs: config.LEDGER_WITNESS_TIMEOUT_MS,
});
