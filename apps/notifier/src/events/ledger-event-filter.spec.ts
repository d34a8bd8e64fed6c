import { randomUUID } from 'node:crypto';
import { EVENT_TYPES, RISK_LEVELS } from '@agent-ledger/contracts';
import { anActionEvent } from '@agent-ledger/testing';
import type { ChannelFilter } from '../delivery/deliveries.repository';
import { ledgerEventMatches, wantsLedgerEvents } from './ledger-event-filter';
import { summarizeLedgerEvent } from './ledger-event-summary';

const tenantId = randomUUID();
const failedDestructive: ChannelFilter = { events: ['action.failed'], riskLevels: ['destructive'] };

describe('ledgerEventMatches', () => {
  it('should match exactly the failed events of destructive tools when the filter asks for action.failed and destructive', () => {
    const cases = EVENT_TYPES.flatMap((type) => RISK_LEVELS.map((riskLevel) => ({ type, riskLevel })));
    const matched = cases.filter(({ type, riskLevel }) => ledgerEventMatches(failedDestructive, anActionEvent(tenantId, { type, tool: { name: 't', riskLevel } })));
    expect(matched).toEqual([{ type: 'action.failed', riskLevel: 'destructive' }]);
  });

  it('should match no event without a tool when the filter names risk levels or tools', () => {
    const { tool: _tool, ...withoutTool } = anActionEvent(tenantId, { type: 'action.failed' });
    expect(ledgerEventMatches(failedDestructive, withoutTool)).toBe(false);
    expect(ledgerEventMatches({ events: ['action.failed'] }, withoutTool)).toBe(true);
    expect(ledgerEventMatches({ events: ['action.failed'], tools: ['delete_account'] }, withoutTool)).toBe(false);
  });

  it('should match by tool name when the filter lists tools', () => {
    const filter: ChannelFilter = { events: ['action.executed', 'action.failed'], tools: ['delete_account'] };
    expect(ledgerEventMatches(filter, anActionEvent(tenantId, { type: 'action.executed', tool: { name: 'delete_account', riskLevel: 'critical' } }))).toBe(true);
    expect(ledgerEventMatches(filter, anActionEvent(tenantId, { type: 'action.executed', tool: { name: 'refund_order', riskLevel: 'critical' } }))).toBe(false);
  });

  it('should match no ledger event when the filter names only escalation events or none', () => {
    const event = anActionEvent(tenantId, { type: 'action.failed' });
    expect(ledgerEventMatches({}, event)).toBe(false);
    expect(ledgerEventMatches({ events: ['escalation.opened'] }, event)).toBe(false);
    expect(wantsLedgerEvents({})).toBe(false);
    expect(wantsLedgerEvents({ events: ['escalation.opened', 'escalation.resolved'] })).toBe(false);
    expect(wantsLedgerEvents({ events: ['escalation.opened', 'signal.rate_limited'] })).toBe(true);
  });
});

describe('summarizeLedgerEvent', () => {
  it('should leave out input, output, metadata, changes, error details and every personal field when summarizing an event', () => {
    const envelope = { $enc: 'v1', kid: randomUUID(), iv: 'aXY=', ct: 'Y3Q=', tag: 'dGFn' };
    const event = anActionEvent(tenantId, {
      type: 'action.failed',
      actor: { type: 'user', id: 'cust-1', ip: envelope as never, userAgent: 'Mozilla/5.0 secret-ua' },
      subject: { id: 'subject-9', pii: envelope },
      input: { email: 'ana@example.com' },
      output: { card: '4111' },
      metadata: { note: 'meta-secret' },
      error: { message: 'account is locked', code: 'E_LOCKED', details: { phone: '+15551234567' } },
    });
    const summary = summarizeLedgerEvent(event);
    const text = JSON.stringify(summary);
    for (const hidden of ['$enc', envelope.ct, 'secret-ua', 'ana@example.com', '4111', 'meta-secret', '+15551234567']) expect(text).not.toContain(hidden);
    expect(summary).toMatchObject({
      eventId: event.eventId,
      type: 'action.failed',
      actionId: event.actionId,
      actor: { type: 'user', id: 'cust-1' },
      subjectId: 'subject-9',
      tool: { name: event.tool!.name, provider: event.tool!.provider, riskLevel: event.tool!.riskLevel },
      error: { message: 'account is locked', code: 'E_LOCKED' },
    });
  });
});
