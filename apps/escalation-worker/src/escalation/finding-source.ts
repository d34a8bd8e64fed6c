import type { EscalationSettings, RuleReason } from '@agent-ledger/escalation-rules';
import type { Fire } from './fire';

/**
 * Something the ledger found in PostgreSQL that may open an escalation: an action anomaly marked by
 * the projector, a gap in a producer's sequence. The row is the durable record; the worker opens the
 * escalation (idempotent on `fire.triggerId`) and then marks the row handled, so a crash between the
 * two re-opens nothing new: the open step reports a duplicate and the same messages are re-published.
 */
export interface Finding {
  /** The row's key within its source, handed back to {@link FindingSource.markHandled}. */
  key: string;
  fire: Fire;
}

/**
 * An escalation the source's rows no longer justify (the missing events arrived): the open
 * escalation of (tenant, session, reason), if any, is resolved by `resolvedBy`.
 */
export interface Resolution {
  /** The rows' keys within the source, handed back to {@link FindingSource.markResolved}. */
  keys: string[];
  tenantId: string;
  sessionId: string;
  reason: RuleReason;
  resolvedBy: string;
  notes: string;
}

/** A table of findings the worker polls (FindingsPoller). */
export interface FindingSource {
  readonly name: string;
  /**
   * Unhandled findings, oldest first, at most `limit`, that are due under their tenant's settings
   * (a rule that is off makes its findings due at once: they are handled without an escalation).
   */
  due(limit: number, settingsOf: (tenantId: string) => Promise<EscalationSettings>): Promise<Finding[]>;
  /** Marks findings handled: they are not returned again. */
  markHandled(findings: readonly Finding[]): Promise<void>;
  /** Escalations to resolve, at most `limit` (a source whose escalations only people resolve has none). */
  resolutions?(limit: number): Promise<Resolution[]>;
  /** Marks resolutions handled: they are not returned again. */
  markResolved?(resolutions: readonly Resolution[]): Promise<void>;
}

/** The finding sources the worker polls (a Nest multi-source token: `useFactory: (...s) => s`). */
export const FINDING_SOURCES = Symbol('FINDING_SOURCES');
