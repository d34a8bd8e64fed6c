import type { Page } from 'playwright-core';
import type { ActionEventInput } from '@agent-ledger/contracts';
import { argsHash, inputHash } from '@agent-ledger/sdk';
import { anActionEventInput, LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';
import { launchBrowser, type TestBrowser } from './browser';

/**
 * The accountability checks as an operator sees them in the dashboard (docs/accountability.md), in
 * headless Chromium against the built services: an action run with other arguments than the
 * approved ones is found by the Anomaly filter and marked in the table; a producer that skipped
 * sequence numbers shows on the overview's "Missing events" panel.
 */
describe('dashboard: anomalies and missing events in a browser', () => {
  const system = new LedgerSystem({ services: ['audit-api', 'ingest-api', 'audit-projector'] });
  const s = system.suffix;
  const ids = { mismatch: `refund-mismatch-${s}`, bound: `refund-bound-${s}`, plain: `lookup-${s}` };
  const producer = `worker-${s}`;
  let tenant: TestTenant;
  let browser: TestBrowser;
  let page: Page;

  function seed(): ActionEventInput[] {
    const tool = { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' as const };
    const approved = { orderId: 'A-1', amount: 25 };
    const ran = { orderId: 'A-1', amount: 2_500 };
    const approval = { required: true, decision: 'approved' as const, approvedBy: 'lead@example.com' };
    /** attempted → confirmed (approving `shown`) → executed (running `executed`). */
    const run = (actionId: string, shown: Record<string, unknown>, executed: Record<string, unknown>) => [
      anActionEventInput({ type: 'action.attempted', actionId, sessionId: `sess-${s}`, tool, input: shown, approval: { required: true } }),
      anActionEventInput({ type: 'action.confirmed', actionId, sessionId: `sess-${s}`, tool, input: shown, approval: { ...approval, argsHash: argsHash(shown) } }),
      anActionEventInput({ type: 'action.executed', actionId, sessionId: `sess-${s}`, tool, input: executed, inputHash: inputHash(executed), durationMs: 40 }),
    ];
    // Producer numbers 1–4 and 8 arrive: 5–7 are missing.
    const stamped = [1, 2, 3, 4, 8].map((seq) =>
      anActionEventInput({ type: 'signal.rate_limited', sessionId: `producer-${s}`, producer: { id: producer, seq } } as Partial<ActionEventInput>),
    );
    return [
      ...run(ids.mismatch, approved, ran),
      ...run(ids.bound, approved, { amount: 25, orderId: 'A-1' }), // the same arguments, keys reordered
      anActionEventInput({ type: 'action.executed', actionId: ids.plain, sessionId: `sess-${s}`, tool: { name: 'lookup_order', provider: 'shop', riskLevel: 'safe' }, durationMs: 8 }),
      ...stamped,
    ];
  }

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant(`dashboard-accountability-${s}`);
    const events = seed();
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, events.length + 1); // + the tenant.created change
    browser = await launchBrowser(system.url('audit-api'));
    page = browser.page;
    await page.goto('/');
    await page.getByLabel('API key').fill(tenant.apiKeys.read);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await system.stop();
  });

  const rowIds = () => page.locator('tbody tr[data-action-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action-id')));

  it("should show the producer's open gap with its missing numbers on the overview", async () => {
    const panel = page.getByTestId('loss-panel');
    await panel.waitFor();
    expect(await panel.getByRole('heading', { name: 'Missing events' }).isVisible()).toBe(true);
    expect(await panel.innerText()).toMatch(/3 events missing in 1 gap/);
    const row = page.getByTestId('loss-table').locator('tbody tr');
    expect(await row.count()).toBe(1);
    const cells = (await row.locator('td').allInnerTexts()).map((t) => t.trim());
    expect(cells.slice(0, 3)).toEqual([producer, '5–7', '3']);
  });

  it('should list only the action run with other arguments than approved when the Anomaly filter is applied, and keep it on reload', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Actions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Actions' }).waitFor();
    await waitFor(async () => (await rowIds()).length === 3, { what: 'the three actions listed' });
    await page.getByLabel('Anomaly', { exact: true }).selectOption('approval_mismatch');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/anomalyCode=approval_mismatch/);
    await waitFor(async () => (await rowIds()).length === 1, { what: 'one action with an approval mismatch' });
    expect(await rowIds()).toEqual([ids.mismatch]);
    expect(await page.locator(`tr[data-action-id="${ids.mismatch}"]`).innerText()).toMatch(/anomaly: approval mismatch/);
    await page.reload();
    await waitFor(async () => (await rowIds()).length === 1, { what: 'the filter kept after a reload' });
    expect(await rowIds()).toEqual([ids.mismatch]);
    expect(await page.getByLabel('Anomaly', { exact: true }).inputValue()).toBe('approval_mismatch');
  });

  it('should have raised no script error while the views were used', () => {
    expect(browser.errors).toEqual([]);
  });
});
