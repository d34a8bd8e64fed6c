import { ACTION_COLUMNS, renderKeyValues, renderReport, renderTable, TIMELINE_COLUMNS } from './table';

describe('table', () => {
  it('should align the actions under their headers whether fields are flat or nested', () => {
    const out = renderTable(ACTION_COLUMNS, [
      { actionId: 'refund-42', status: 'executed', toolName: 'refund_order', riskLevel: 'destructive', approvalDecision: 'approved', sessionId: 'conv-7', agentId: 'bot', durationMs: 1200, firstEventAt: '2026-03-01T09:00:00Z', anomaly: false },
      { actionId: 'x', status: 'failed', tool: { name: 'crm_write', riskLevel: 'critical' }, agent: { id: 'b2' }, anomaly: true },
    ]);
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^TIME\s+ACTION\s+STATUS\s+TOOL\s+RISK\s+APPROVAL\s+SESSION\s+AGENT\s+DURATION\s+ANOMALY$/);
    expect(lines[1]).toMatch(/^2026-03-01 09:00:00Z\s+refund-42\s+executed\s+refund_order\s+destructive\s+approved\s+conv-7\s+bot\s+1\.20s$/);
    expect(lines[2]).toMatch(/^-\s+x\s+failed\s+crm_write\s+critical\s+-\s+-\s+b2\s+-\s+yes$/);
    // Columns start at the same offset on every line.
    expect(lines[1].indexOf('refund-42')).toBe(lines[0].indexOf('ACTION'));
    expect(out).not.toMatch(/\u001b\[/); // no colours
  });

  it('should cut long cells in a table', () => {
    const out = renderTable(ACTION_COLUMNS, [{ actionId: 'a'.repeat(80), status: 'attempted' }]);
    expect(out).toContain(`${'a'.repeat(35)}…`);
    expect(out).not.toContain('a'.repeat(36));
  });

  it('should show each timeline stage with its actor, approval, error and redacted fields', () => {
    const out = renderTable(TIMELINE_COLUMNS, [
      { eventId: 'e1', type: 'action.attempted', occurredAt: '2026-03-01T09:00:00Z', actor: { type: 'agent', id: 'bot' }, input: { token: '[REDACTED]', amount: 5 } },
      { eventId: 'e2', type: 'action.failed', occurredAt: '2026-03-01T09:00:02Z', approval: { decision: 'approved', approvedBy: 'ann' }, error: { code: 'E1', message: 'refused' } },
    ]);
    expect(out).toMatch(/action\.attempted\s+agent:bot\s+-\s+-\s+-\s+input\.token\s+e1/);
    expect(out).toMatch(/action\.failed\s+-\s+approved by ann\s+-\s+E1: refused\s+-\s+e2/);
  });

  it('should render any report as key/values, sections and tables when given statistics', () => {
    const out = renderReport({
      total: 10,
      successRate: 0.9,
      totals: { actions: 10, byStatus: { executed: 9 } },
      byStatus: { executed: 9, failed: 1 },
      byTool: { refund_order: { count: 7, p50: 100 }, crm_write: { count: 3, p95: 250 } },
      series: [{ at: '2026-03-01T00:00:00Z', count: 4 }, { at: '2026-03-02T00:00:00Z', count: 6 }],
      tags: ['a', 'b'],
    });
    expect(out).toContain('total        10\nsuccessRate  0.9');
    expect(out).toContain('byStatus\n  executed  9\n  failed    1');
    expect(out).toContain('totals\n  actions  10\n\ntotals.byStatus\n  executed  9');
    expect(out).toMatch(/byTool\n\s+COUNT\s+P50\s+P95\n\s+refund_order\s+7\s+100\s+-\n\s+crm_write\s+3\s+-\s+250/);
    expect(out).toMatch(/series\n\s+AT\s+COUNT\n\s+2026-03-01T00:00:00Z\s+4/);
    expect(out).toContain('tags  a, b');
  });

  it('should align keys when listing key/values', () => {
    expect(renderKeyValues([['a', 1], ['long key', null]])).toBe('a         1\nlong key  -');
  });
});
