import { APPROVAL_DECISIONS, ESCALATION_REASONS, RISK_LEVELS, SEVERITIES } from '@agent-ledger/contracts';
import { ACTION_STATUSES } from '../../apps/audit-api/src/queries/query-filters';
import * as dashboard from '../../apps/dashboard/src/shared/vocabulary';

/** The dashboard bundle carries its own copy of the vocabularies; they must not drift from the contracts. */
describe('dashboard vocabularies', () => {
  it('should offer exactly the values the API accepts when it lists filter choices', () => {
    expect([...dashboard.RISK_LEVELS]).toEqual([...RISK_LEVELS]);
    expect([...dashboard.APPROVAL_DECISIONS]).toEqual([...APPROVAL_DECISIONS]);
    expect([...dashboard.ESCALATION_REASONS]).toEqual([...ESCALATION_REASONS]);
    expect([...dashboard.SEVERITIES]).toEqual([...SEVERITIES]);
    expect([...dashboard.ACTION_STATUSES]).toEqual([...ACTION_STATUSES]);
  });
});
