import { escalationScopeOf, tenantScopeSessionId, validateEscalationEvent } from './index';

const opened = {
  type: 'escalation.opened',
  eventId: '9a1f7c3e-2b4d-4e6f-8a0b-1c2d3e4f5a6b',
  escalationId: '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f',
  tenantId: '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d',
  sessionId: 'tenant:tenant_error_rate',
  occurredAt: '2025-03-01T10:05:00Z',
  reason: 'tenant_error_rate',
  severity: 'error',
  summary: '60 % of 5 finished actions failed within 10 min (above 50 %)',
  customerMessage: "We're seeing a problem on our side; our team has been alerted.",
  triggeringEventIds: ['0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a'],
  count: 1,
};

describe('tenant-scope escalations', () => {
  it('should accept scope tenant or session on every event type and refuse any other scope', () => {
    expect(validateEscalationEvent({ ...opened, scope: 'tenant' }).ok).toBe(true);
    expect(validateEscalationEvent({ ...opened, scope: 'session', sessionId: 's-1' }).ok).toBe(true);
    expect(validateEscalationEvent(opened).ok).toBe(true);
    const resolved = { type: 'escalation.resolved', eventId: opened.eventId, escalationId: opened.escalationId, tenantId: opened.tenantId, sessionId: opened.sessionId, occurredAt: opened.occurredAt, resolvedBy: 'agent-ledger' };
    expect(validateEscalationEvent({ ...resolved, scope: 'tenant' }).ok).toBe(true);
    const bad = validateEscalationEvent({ ...opened, scope: 'global' });
    expect(bad.ok ? [] : bad.errors.map((e) => [e.pointer, e.code])).toEqual([['/scope', 'enum']]);
  });

  it('should give each alert, and each tool of the latency alert, its own session id within the id limit', () => {
    expect(tenantScopeSessionId('tenant_failure_burst')).toBe('tenant:tenant_failure_burst');
    expect(tenantScopeSessionId('tenant_tool_latency', 'crm_search')).toBe('tenant:tenant_tool_latency:crm_search');
    const a = tenantScopeSessionId('tenant_tool_latency', `${'x'.repeat(190)}a`);
    const b = tenantScopeSessionId('tenant_tool_latency', `${'x'.repeat(190)}b`);
    expect([a.length, b.length]).toEqual([200, 200]);
    expect(a).not.toBe(b);
    expect(tenantScopeSessionId('tenant_tool_latency', `${'x'.repeat(190)}a`)).toBe(a);
  });

  it('should tell a tenant-wide alert from a session escalation by its reason, whatever the session id says', () => {
    expect(['tenant_error_rate', 'tenant_failure_burst', 'tenant_tool_latency', 'tenant_change_burst'].map(escalationScopeOf)).toEqual(['tenant', 'tenant', 'tenant', 'tenant']);
    expect(['customer_request', 'session_too_long', 'manual', null, undefined].map(escalationScopeOf)).toEqual(['session', 'session', 'session', 'session', 'session']);
  });
});
