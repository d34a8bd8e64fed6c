import { parseInput } from '@agent-ledger/runtime';
import { putChannelsSchema, rotateSecretSchema } from './channels.dto';

const problems = (body: unknown) => {
  try {
    parseInput(putChannelsSchema, body);
    return [];
  } catch (err) {
    return ((err as { errors?: { field: string }[] }).errors ?? []).map((e) => e.field);
  }
};

describe('channels DTOs', () => {
  it('should default to no channels and to the standard format when fields are left out', () => {
    expect(parseInput(putChannelsSchema, {})).toEqual({ email: { recipients: [], filter: {} }, webhooks: [] });
    expect(parseInput(putChannelsSchema, { webhooks: [{ url: 'https://h.example/x' }] }).webhooks[0]).toEqual({ url: 'https://h.example/x', format: 'standard', filter: {} });
  });

  it('should name each invalid field by JSON pointer when recipients, webhooks and filters are wrong', () => {
    expect(
      problems({
        email: { recipients: ['ops@example.com', 'nope', 'OPS@example.com'], filter: { reasons: ['bored'] } },
        webhooks: [{ url: 'https://a.example' }, { url: 'https://b.example', format: 'teams', filter: { minSeverity: 'urgent', extra: 1 } }, { id: 'x', url: '' }],
        sms: {},
      }).sort(),
    ).toEqual(['/email/filter/reasons/0', '/email/recipients/1', '/email/recipients/2', '/sms', '/webhooks/1/filter/extra', '/webhooks/1/filter/minSeverity', '/webhooks/1/format', '/webhooks/2/id', '/webhooks/2/url'].sort());
  });

  it('should accept a webhook filter over ledger events when it names event types, risk levels and tools', () => {
    const filter = { events: ['action.failed', 'escalation.opened'], riskLevels: ['destructive', 'critical'], tools: ['delete_account'], minSeverity: 'error' };
    expect(parseInput(putChannelsSchema, { webhooks: [{ url: 'https://h.example/x', filter }] }).webhooks[0].filter).toEqual(filter);
  });

  it('should name each bad field of a ledger event filter when its types, risk levels or tools are wrong', () => {
    const hook = (filter: unknown) => ({ webhooks: [{ url: 'https://h.example/x', filter }] });
    expect(problems(hook({ events: ['action.exploded'], riskLevels: ['scary'], tools: ['', 'x'.repeat(201)] })).sort()).toEqual(
      ['/webhooks/0/filter/events/0', '/webhooks/0/filter/riskLevels/0', '/webhooks/0/filter/tools/0', '/webhooks/0/filter/tools/1'].sort(),
    );
    expect(problems(hook({ events: ['action.failed', 'action.failed'], riskLevels: [], tools: 'delete_account' })).sort()).toEqual(
      ['/webhooks/0/filter/events/1', '/webhooks/0/filter/riskLevels', '/webhooks/0/filter/tools'].sort(),
    );
  });

  it('should refuse ledger conditions without a ledger event type, and escalation conditions without an escalation type', () => {
    const hook = (filter: unknown) => ({ webhooks: [{ url: 'https://h.example/x', filter }] });
    expect(problems(hook({ riskLevels: ['destructive'] }))).toEqual(['/webhooks/0/filter/riskLevels']);
    expect(problems(hook({ events: ['escalation.opened'], tools: ['x'] }))).toEqual(['/webhooks/0/filter/tools']);
    expect(problems(hook({ events: ['action.failed'], reasons: ['action_failed'], minSeverity: 'error' })).sort()).toEqual(['/webhooks/0/filter/minSeverity', '/webhooks/0/filter/reasons']);
    // Email announces escalations only.
    expect(problems({ email: { recipients: ['ops@example.com'], filter: { events: ['action.failed'] } } })).toEqual(['/email/filter/events/0']);
  });

  it('should refuse the body when a webhook id is listed twice', () => {
    const id = '6f1c1b8e-5d7a-4c1e-9f3a-2b6d8e9a0c11';
    expect(problems({ webhooks: [{ id, url: 'https://a.example' }, { id, url: 'https://b.example' }] })).toEqual(['/webhooks/1/id']);
  });

  it('should accept a rotation when the body is empty and refuse it when the grace period is negative', () => {
    expect(parseInput(rotateSecretSchema, {})).toEqual({});
    expect(() => parseInput(rotateSecretSchema, { graceSeconds: -1 })).toThrow();
  });
});
