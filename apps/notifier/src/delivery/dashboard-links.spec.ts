import { dashboardLinks } from './dashboard-links';

describe('dashboardLinks', () => {
  it('should name the page by its path, never by a hash, when linking an escalation or an action', () => {
    expect(dashboardLinks.escalation('https://ledger.example', '5f0c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d')).toBe('https://ledger.example/escalations/5f0c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d');
    expect(dashboardLinks.action('https://ledger.example/base', 'refund-7')).toBe('https://ledger.example/base/actions/refund-7');
    expect(dashboardLinks.escalations('https://ledger.example')).not.toContain('#');
  });

  it('should percent-encode an id when it holds characters that are not path-safe', () => {
    const url = new URL(dashboardLinks.action('https://ledger.example', 'order/7 #x?y'));
    expect(url.pathname).toBe('/actions/order%2F7%20%23x%3Fy');
    expect(url.hash).toBe('');
    expect(decodeURIComponent(url.pathname.split('/').pop()!)).toBe('order/7 #x?y');
  });
});
