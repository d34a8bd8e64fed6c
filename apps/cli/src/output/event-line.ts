import { formatDuration, formatTime, pick, text } from './format';

/**
 * One event as one line for `agent-ledger tail`:
 * `2026-03-01 09:15:02Z  action.executed  refund-42  refund_order (destructive)  session=conv-7  agent=support-bot  1.20s`.
 */
export function formatEventLine(event: unknown): string {
  const e = pick(event, 'event') ?? event; // `{event: {...}}` envelopes or the event itself
  const tool = pick(e, 'tool.name', 'toolName');
  const risk = pick(e, 'tool.riskLevel', 'riskLevel');
  const parts = [
    formatTime(pick(e, 'occurredAt', 'receivedAt', 'recordedAt')),
    text(pick(e, 'type')),
    text(pick(e, 'actionId') ?? pick(e, 'resource.id') ?? pick(e, 'eventId')),
  ];
  if (tool) parts.push(`${text(tool)}${risk ? ` (${text(risk)})` : ''}`);
  const session = pick(e, 'sessionId');
  if (session) parts.push(`session=${text(session)}`);
  const agent = pick(e, 'agent.id', 'agentId');
  if (agent) parts.push(`agent=${text(agent)}`);
  const decision = pick(e, 'approval.decision', 'approvalDecision');
  if (decision) parts.push(`approval=${text(decision)}`);
  const duration = pick(e, 'durationMs');
  if (duration !== undefined) parts.push(formatDuration(duration));
  const error = pick(e, 'error.message');
  if (error) parts.push(`error="${text(error)}"`);
  return parts.join('  ');
}
