import { EVENT_TYPES, type ActionEvent, type EventType } from '@agent-ledger/contracts';
import type { ChannelFilter } from '../delivery/deliveries.repository';

const LEDGER_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** Whether a filter subscribes to any ledger event (its `events` name one of the contract's event types). */
export function wantsLedgerEvents(filter: ChannelFilter): boolean {
  return filter.events?.some((t) => LEDGER_TYPES.has(t)) ?? false;
}

/**
 * Whether a webhook's filter wants this ledger event: its type is named in `events`, and, when
 * given, the tool's risk level is one of `riskLevels` and its name one of `tools` (an event without
 * a tool matches neither). Escalation conditions (`reasons`, `minSeverity`) do not apply here.
 */
export function ledgerEventMatches(filter: ChannelFilter, event: Pick<ActionEvent, 'type' | 'tool'>): boolean {
  if (!filter.events?.includes(event.type as EventType)) return false;
  if (filter.riskLevels?.length && (!event.tool || !filter.riskLevels.includes(event.tool.riskLevel))) return false;
  if (filter.tools?.length && (!event.tool || !filter.tools.includes(event.tool.name))) return false;
  return true;
}
