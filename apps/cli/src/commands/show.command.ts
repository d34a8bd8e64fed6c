import type { Command } from 'commander';
import type { CommandContext } from '../cli.context';
import { formatDuration, formatTime, pick } from '../output/format';
import { renderKeyValues, renderTable, TIMELINE_COLUMNS } from '../output/table';

/** Splits `GET /v1/actions/:id` into the action and its timeline, whichever envelope the API uses. */
export function splitActionDetail(body: unknown): { action: Record<string, unknown>; timeline: unknown[] } {
  const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const action = (b.action && typeof b.action === 'object' ? b.action : b) as Record<string, unknown>;
  const timeline = [b.timeline, b.events, action.timeline, action.events].find(Array.isArray) as unknown[] | undefined;
  return { action, timeline: timeline ?? [] };
}

export function registerShowCommand(program: Command, ctx: CommandContext): void {
  program
    .command('show')
    .description("one action: its current state and its full event timeline")
    .argument('<actionId>', 'the action id')
    .option('--json', 'the API answer as JSON')
    .addHelpText('after', '\nExample:\n  agent-ledger show refund-42')
    .action(async (actionId: string, flags: { json?: boolean }, command: Command) => {
      const body = await ctx.client(command).getJson(`/v1/actions/${encodeURIComponent(actionId)}`);
      if (flags.json) {
        ctx.out(JSON.stringify(body, null, 2));
        return;
      }
      const { action, timeline } = splitActionDetail(body);
      const anomalies = pick(action, 'anomalies');
      ctx.out(
        renderKeyValues([
          ['action', pick(action, 'actionId', 'id') ?? actionId],
          ['status', pick(action, 'status')],
          ['tool', pick(action, 'toolName', 'tool.name')],
          ['provider', pick(action, 'tool.provider')],
          ['risk', pick(action, 'riskLevel', 'tool.riskLevel')],
          ['approval', [pick(action, 'approvalDecision', 'approval.decision'), pick(action, 'approvedBy', 'approval.approvedBy')].filter(Boolean).join(' by ') || undefined],
          ['approval id', pick(action, 'approval.approvalId')],
          ['decision time', formatDuration(pick(action, 'approval.decisionMs'))],
          ['session', pick(action, 'sessionId')],
          ['task', pick(action, 'taskId')],
          ['plan', [pick(action, 'plan.planId'), pick(action, 'plan.stepId')].filter(Boolean).join(', step ') || undefined],
          ['agent', pick(action, 'agentName', 'agent.name') ? `${pick(action, 'agentId', 'agent.id')} (${pick(action, 'agentName', 'agent.name')})` : pick(action, 'agentId', 'agent.id')],
          ['actor', pick(action, 'actorId', 'actor.id')],
          ['subject', pick(action, 'subjectId', 'subject.id')],
          ['first event', formatTime(pick(action, 'firstEventAt', 'attemptedAt'))],
          ['last event', formatTime(pick(action, 'lastEventAt', 'updatedAt'))],
          ['duration', formatDuration(pick(action, 'durationMs'))],
          ['error', pick(action, 'errorMessage', 'error.message')],
          ['anomaly', pick(action, 'anomaly') === true ? `yes${Array.isArray(anomalies) && anomalies.length ? ` (${anomalies.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join('; ')})` : ''}` : 'no'],
        ]),
      );
      ctx.out('');
      ctx.out(timeline.length ? `timeline (${timeline.length} events)\n${renderTable(TIMELINE_COLUMNS, timeline)}` : 'timeline: no events');
    });
}
