import { Option, type Command } from 'commander';
import { UsageError } from '../errors/cli.error';
import { ACTION_ANOMALY_CODES, ACTION_STATUSES, APPROVAL_DECISIONS, CHANGE_ACTIONS, parseInstant, RISK_LEVELS, type FilterFlags } from './option-parsers';

/** Which filter flags a command takes: actions are filtered by their state, events also by type and resource. */
export interface FilterSet {
  /** --status, --approval, --anomaly, --anomaly-code */
  actionState?: boolean;
  /** --tool, --provider, --risk, --session, --agent, --actor, --subject, --task, --plan, --approval-id, --search */
  context?: boolean;
  /** --type, --resource-type, --resource-id, --change-action */
  eventFields?: boolean;
  /** --from, --to */
  window?: boolean;
}

/** Adds the filter flags (the API's query parameters in docs/cli.md) to a command. */
export function addFilterOptions(cmd: Command, set: FilterSet = { actionState: true, context: true, window: true }): Command {
  if (set.actionState) {
    cmd.addOption(new Option('--status <status>', 'action status').choices(ACTION_STATUSES));
  }
  if (set.context) {
    cmd
      .option('--tool <name>', 'tool name, e.g. refund_order')
      .option('--provider <name>', 'tool provider, e.g. the CRM called')
      .addOption(new Option('--risk <level>', 'risk level of the tool').choices(RISK_LEVELS))
      .option('--session <id>', 'session (conversation) id')
      .option('--agent <id>', 'agent id')
      .option('--actor <id>', 'actor id (who caused it)')
      .option('--subject <id>', 'data subject (customer) id')
      .option('--task <id>', 'task id')
      .option('--plan <id>', 'plan id')
      .option('--approval-id <id>', 'approval id')
      .option('--search <text>', 'case-insensitive text in the tool name, agent id or name, or error message');
  }
  if (set.actionState) {
    cmd
      .addOption(new Option('--approval <decision>', 'approval decision').choices(APPROVAL_DECISIONS))
      .option('--anomaly', 'only actions flagged with an anomaly (an impossible transition)')
      .option('--no-anomaly', 'only actions without an anomaly')
      .addOption(new Option('--anomaly-code <code>', 'only actions marked with this anomaly (docs/accountability.md)').choices(ACTION_ANOMALY_CODES));
  }
  if (set.eventFields) {
    cmd
      .option('--type <type>', 'event type, e.g. action.failed or change.recorded')
      .option('--resource-type <type>', 'resource type of change.recorded events')
      .option('--resource-id <id>', 'resource id of change.recorded events')
      .addOption(new Option('--change-action <action>', 'what a change.recorded did').choices(CHANGE_ACTIONS));
  }
  if (set.window) {
    cmd
      .option('--from <time>', 'from this instant on: RFC 3339, a date (UTC) or a duration back from now (15m, 24h, 7d)', (v) => parseInstant(v))
      .option('--to <time>', 'before this instant (same forms as --from)', (v) => parseInstant(v));
  }
  return cmd;
}

/** Checks what the parser cannot see one flag at a time. */
export function checkWindow(flags: Pick<FilterFlags, 'from' | 'to'>): void {
  if (flags.from && flags.to && Date.parse(flags.from) >= Date.parse(flags.to)) throw new UsageError(`--from (${flags.from}) must be before --to (${flags.to})`);
}
