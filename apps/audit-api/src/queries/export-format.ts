/**
 * CSV columns of an exported event (cells extracted by RecordsRepository.csvPage); nested objects as
 * JSON text. `anomalyCodes`: the codes of the event's action (space-separated, docs/accountability.md).
 */
export const EXPORT_COLUMNS = [
  'eventId', 'type', 'occurredAt', 'receivedAt', 'recordedAt', 'actionId', 'sessionId', 'agentId', 'agentName', 'actorType', 'actorId',
  'toolName', 'toolProvider', 'riskLevel', 'approvalRequired', 'approvalDecision', 'approvedBy', 'durationMs', 'errorMessage', 'errorCode',
  'subjectId', 'resourceType', 'resourceId', 'chainPartition', 'chainSeq', 'hash', 'input', 'output', 'metadata', 'changes',
  'changeAction', 'taskId', 'planId', 'stepId', 'parentPlanId', 'approvalId', 'approvalDecisionMs', 'budgetUsed', 'budgetLimit',
  'budgetUnit', 'messageRole', 'messageContent', 'messageTokens', 'messageModel', 'inputHash', 'approvalArgsHash', 'anomalyCodes',
] as const;

/**
 * Neutralises spreadsheet formulas (CSV injection, OWASP): a cell beginning with =, +, -, @, a tab
 * or a carriage return gets a leading apostrophe, so spreadsheet software shows it as text.
 */
export function csvSafe(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}
