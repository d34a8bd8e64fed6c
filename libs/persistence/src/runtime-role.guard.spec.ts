import { judgeConnectedRole } from './runtime-role.guard';

describe(judgeConnectedRole.name, () => {
  const service = { role: 'agent_ledger_projector', superuser: false, ownsAuditLog: false };

  it('should accept a service role in production and elsewhere', () => {
    expect(judgeConnectedRole(service, true)).toEqual({ action: 'accept' });
    expect(judgeConnectedRole(service, false)).toEqual({ action: 'accept' });
  });

  it('should refuse a superuser in production, naming the role', () => {
    const v = judgeConnectedRole({ role: 'postgres', superuser: true, ownsAuditLog: true }, true);
    expect(v).toEqual({ action: 'refuse', reason: expect.stringMatching(/^refusing to start in production: .*"postgres", a superuser/) });
  });

  it('should refuse the owner of audit_events in production when it is no superuser', () => {
    const v = judgeConnectedRole({ role: 'agent_ledger', superuser: false, ownsAuditLog: true }, true);
    expect(v).toEqual({ action: 'refuse', reason: expect.stringContaining('"agent_ledger", the owner of audit_events') });
  });

  it('should only warn, naming the role, when not in production', () => {
    expect(judgeConnectedRole({ role: 'postgres', superuser: true, ownsAuditLog: true }, false)).toEqual({ action: 'warn', reason: expect.stringContaining('"postgres", a superuser') });
    expect(judgeConnectedRole({ role: 'agent_ledger', superuser: false, ownsAuditLog: true }, false)).toEqual({ action: 'warn', reason: expect.stringContaining('"agent_ledger"') });
  });
});
