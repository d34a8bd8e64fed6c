/** CSV columns of an exported event; nested objects are kept as JSON text. */
export const EXPORT_COLUMNS = [
  'eventId', 'type', 'occurredAt', 'receivedAt', 'recordedAt', 'actionId', 'sessionId', 'agentId', 'agentName', 'actorType', 'actorId',
  'toolName', 'toolProvider', 'riskLevel', 'approvalRequired', 'approvalDecision', 'approvedBy', 'durationMs', 'errorMessage', 'errorCode',
  'subjectId', 'resourceType', 'resourceId', 'chainPartition', 'chainSeq', 'hash', 'input', 'output', 'metadata', 'changes',
] as const;

interface ExportedEvent {
  eventId: string;
  recordedAt: string | null;
  chain: { partition: number; seq: string; hash: string };
  event: Record<string, unknown>;
}

const json = (v: unknown): string => (v === undefined || v === null ? '' : JSON.stringify(v));
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

export function exportRow(e: ExportedEvent): string[] {
  const ev = e.event as Record<string, Record<string, unknown> | undefined> & Record<string, unknown>;
  return [
    e.eventId, str(ev.type), str(ev.occurredAt), str(ev.receivedAt), str(e.recordedAt), str(ev.actionId), str(ev.sessionId),
    str(ev.agent?.id), str(ev.agent?.name), str(ev.actor?.type), str(ev.actor?.id), str(ev.tool?.name), str(ev.tool?.provider),
    str(ev.tool?.riskLevel), str(ev.approval?.required), str(ev.approval?.decision), str(ev.approval?.approvedBy), str(ev.durationMs),
    str(ev.error?.message), str(ev.error?.code), str(ev.subject?.id), str(ev.resource?.type), str(ev.resource?.id), String(e.chain.partition),
    e.chain.seq, e.chain.hash, json(ev.input), json(ev.output), json(ev.metadata), json(ev.changes),
  ];
}

/**
 * Neutralises spreadsheet formulas (CSV injection, OWASP): a cell beginning with =, +, -, @, a tab
 * or a carriage return gets a leading apostrophe, so spreadsheet software shows it as text.
 */
export function csvSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
