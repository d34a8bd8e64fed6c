import { aNotice, anOpenedEvent } from '../delivery/notification.fixtures';
import { renderEmail } from './email-renderer';

describe('renderEmail', () => {
  it('should name severity, reason and tenant in the subject and every fact in the text when an escalation opens', () => {
    const mail = renderEmail(aNotice());
    expect(mail.subject).toBe('[agent-ledger] CRITICAL escalation opened: customer asked for a human — Acme');
    for (const part of ['Acme', '33333333-3333-4333-8333-333333333333', 'customer_request', 'critical', 'sess-1', 'act-9', 'Customer asked for a human', 'https://ledger.example/escalations/22222222-2222-4222-8222-222222222222']) {
      expect(mail.text).toContain(part);
    }
  });

  it('should escape every value in the HTML when the summary holds markup', () => {
    const mail = renderEmail(aNotice(anOpenedEvent({ summary: '<script>alert(1)</script> & "x"' })));
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot;');
  });

  it('should keep the subject on one line when a tenant name carries line breaks', () => {
    const mail = renderEmail(aNotice(anOpenedEvent(), { tenant: { id: 't', name: 'Acme\r\nBcc: evil@example.com' } }));
    expect(mail.subject).not.toMatch(/[\r\n]/);
  });

  it('should explain the cause and how to re-enable when an endpoint was disabled', () => {
    const mail = renderEmail({
      kind: 'endpoint.disabled',
      tenant: { id: 't', name: 'Acme' },
      endpoint: { id: 'e', url: 'https://hooks.example/x' },
      cause: 'gone',
      disabledAt: '2026-01-01T00:00:00.000Z',
      link: 'https://ledger.example/#/deliveries',
    });
    expect(mail.subject).toContain('Webhook endpoint disabled: https://hooks.example/x');
    expect(mail.text).toContain('410 Gone');
    expect(mail.text).toContain('"enabled": true');
  });
});
