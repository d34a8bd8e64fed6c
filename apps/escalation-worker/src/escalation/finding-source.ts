import type { EscalationSettings } from '@agent-ledger/escalation-rules';
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
}

/** The finding sources the worker polls (a Nest multi-source token: `useFactory: (...s) => s`). */
export const FINDING_SOURCES = Symbol('FINDING_SOURCES');
