import { LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { launchBrowser } from '../dashboard/browser';
import { expectedStats, rounded, seedActions, seedEvents, sortedRows, type SeedAction } from '../reports/stats-seed';

type Stats = ReturnType<typeof expectedStats> & { window: { from: string; to: string; bucket: string }; approvals: Record<string, unknown> };

/**
 * GET /v1/stats over a data set with known answers, seeded through ingest and projected: every
 * statistic equals the value computed here from the seed; named windows; bad windows are 400s.
 */
describe('statistics', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  let tenant: TestTenant;
  let actions: SeedAction[];
  let expected: ReturnType<typeof expectedStats>;
  let from: string;
  let to: string;

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`stats-${system.suffix}`);
    const end = Date.now() - 60_000;
    actions = seedActions('st', 70, end, 40 * 60_000);
    const events = seedEvents(actions, `st-${system.suffix}`);
    expected = expectedStats(actions, events);
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, events.length);
    from = new Date(end - 41 * 60_000).toISOString();
    to = new Date(end + 30_000).toISOString();
    await waitFor(async () => (await stats(`from=${from}&to=${to}`)).body.totals?.actions === actions.length, { timeoutMs: 30_000, what: 'every action projected' });
  });

  afterAll(() => system.stop());

  const stats = (query: string) => system.api<Stats>('GET', `/v1/stats?${query}`, tenant.apiKeys.read);

  it('should answer every statistic as computed from the seed when the window holds it', async () => {
    const { status, body: s } = await stats(`from=${from}&to=${to}`);
    expect(status).toBe(200);
    expect(s.totals).toEqual(expected.totals);
    expect(rounded([s.successRate, s.successRateOfFinished])).toEqual(rounded([expected.successRate, expected.successRateOfFinished]));
    expect(sortedRows(s.byTool)).toEqual(sortedRows(expected.byTool.map(({ avgDurationMs: _a, ...r }) => r)));
    expect(rounded(sortedRows(s.byProvider))).toEqual(rounded(sortedRows(expected.byProvider)));
    expect(rounded(sortedRows(s.byAgent))).toEqual(rounded(sortedRows(expected.byAgent)));
    expect(rounded(sortedRows(s.byActor))).toEqual(rounded(sortedRows(expected.byActor)));
    const { decisionTime, ...decisions } = s.approvals as Record<string, unknown> & { decisionTime: unknown };
    expect(decisions).toEqual({ approved: 0, rejected: 0, expired: 0, auto: 0, ...expected.approvals });
    expect(rounded(decisionTime)).toEqual(rounded(expected.decisionTime));
    expect(rounded(s.duration)).toEqual(rounded(expected.duration));
    expect(rounded(sortedRows(s.durations))).toEqual(rounded(sortedRows(expected.durations)));
    expect(sortedRows(s.failures)).toEqual(sortedRows(expected.failures));
    expect(s.signals).toEqual(expected.signals);
    expect(s.eventsByType).toEqual(expected.eventsByType);
    expect(s.window).toEqual({ from, to, bucket: 'minute' });
  });

  it('should cover the seed with the named windows and the default one, each ending now', async () => {
    for (const query of ['window=1h', 'window=24h', 'window=90d', '']) {
      const before = Date.now();
      const { status, body } = await stats(query);
      expect({ query, status, actions: body.totals.actions }).toEqual({ query, status: 200, actions: actions.length });
      const span = Date.parse(body.window.to) - Date.parse(body.window.from);
      expect({ query, span }).toEqual({ query, span: { 'window=1h': 3_600_000, 'window=90d': 90 * 86_400_000 }[query] ?? 86_400_000 });
      expect(Date.parse(body.window.to)).toBeGreaterThanOrEqual(before - 1);
    }
  });

  it('should show both success rates, durations and breakdowns on the Overview for a period of 90 days', async () => {
    const browser = await launchBrowser(system.url('audit-api'));
    try {
      const { page } = browser;
      await page.goto('/');
      await page.getByLabel('API key').fill(tenant.apiKeys.read);
      await page.getByLabel('API key').press('Enter');
      await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
      await page.getByLabel('Period').selectOption('90d');
      const card = async (id: string) => (await page.getByTestId(`card-${id}`).textContent())?.trim();
      await waitFor(async () => (await card('total-actions')) === String(actions.length), { timeoutMs: 10_000, what: 'the total on the Overview' });
      const percent = (r: number) => `${(r * 100).toFixed(1)}%`;
      expect(await card('success-rate')).toBe(percent(expected.successRate));
      expect(await card('success-of-finished')).toBe(percent(expected.successRateOfFinished));
      const footer = (await page.getByTestId('durations-table').locator('tfoot tr').innerText()).split('\t');
      expect(footer.slice(0, 2)).toEqual(['All tools', String(expected.duration.n)]);
      const providers = await page.getByTestId('providers-table').locator('tbody tr').allInnerTexts();
      expect(providers.map((r) => r.split('\t').slice(0, 3)).sort()).toEqual(
        expected.byProvider.map((p) => [p.provider ?? '(not given)', String(p.total), String(p.failed)]).sort(),
      );
      expect(await page.getByTestId('signals-table').locator('tbody tr').allInnerTexts()).toContain(`rate limited\t${expected.signals['signal.rate_limited']}`);
      expect(browser.errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('should refuse a span above 90 days, an unknown window and a window with from, with code and field', async () => {
    const now = Date.now();
    const cases: [string, string][] = [
      [`from=${new Date(now - 90 * 86_400_000 - 60_000).toISOString()}&to=${new Date(now).toISOString()}`, 'from'],
      ['window=2h', 'window'],
      [`window=1h&from=${new Date(now - 60_000).toISOString()}`, 'window'],
      ['bucket=week', 'bucket'],
      [`from=${new Date(now).toISOString()}&to=${new Date(now - 1_000).toISOString()}`, 'from'],
    ];
    for (const [query, field] of cases) {
      const { status, body } = await system.api<{ error: { code: string; field: string } }>('GET', `/v1/stats?${query}`, tenant.apiKeys.read);
      expect({ query, status, code: body.error.code, field: body.error.field }).toEqual({ query, status: 400, code: 'validation_failed', field });
    }
    const exactly90 = await stats(`from=${new Date(now - 90 * 86_400_000).toISOString()}&to=${new Date(now).toISOString()}`);
    expect(exactly90.status).toBe(200);
  });
});
