import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { ACTION_EVENTS_DLQ_TOPIC, ACTION_EVENTS_TOPIC, actionEventKey, ESCALATIONS_DLQ_TOPIC, ESCALATIONS_TOPIC, type ActionEventInput } from '@agent-ledger/contracts';
import { createKafka, LedgerProducer } from '@agent-ledger/kafka';
import { anActionEvent, anActionEventInput, freePort, LedgerSystem, uniqueSuffix, waitFor, WORKSPACE_ROOT, type TestTenant } from '@agent-ledger/testing';
import { TestSmtpServer } from '../notifications/receivers';
import { launchBrowser, type TestBrowser } from './browser';

const SCREENSHOTS = join(WORKSPACE_ROOT, 'test-results', 'screenshots');
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

/**
 * The dashboard in headless Chromium against the running system: built services from dist/
 * (audit-api serving the dashboard, ingest-api, the projector, the escalation worker and the
 * notifier), a tenant made with the root key, events posted through ingest, a webhook receiver
 * on loopback that refuses the first delivery, and an SMTP server whose notification emails' links
 * are followed, as an operator would see them.
 */
describe('dashboard in a browser', () => {
  const notifierGroup = `notifier-${uniqueSuffix()}`;
  const smtp = new TestSmtpServer();
  /** The notifier's settings; SMTP_PORT is added once the SMTP server listens (before the system starts). */
  const notifierEnv: NodeJS.ProcessEnv = {
    NOTIFIER_GROUP_ID: notifierGroup,
    NOTIFIER_QUEUE_PREFIX: `dashboard-${uniqueSuffix()}`,
    NOTIFIER_SESSION_TIMEOUT_MS: '6000',
    LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32',
    NOTIFIER_WEBHOOK_RETRY_SCHEDULE: '0,300ms,300ms',
    NOTIFIER_WEBHOOK_TIMEOUT_MS: '3000',
    NOTIFIER_LOCK_DURATION_MS: '4000',
    NOTIFIER_SWEEP_INTERVAL_MS: '300',
    SMTP_HOST: '127.0.0.1',
    SMTP_TIMEOUT_MS: '5000',
    // LEDGER_DASHBOARD_URL: this system's audit-api (LedgerSystem), so the emails link to this dashboard.
  };
  const system = new LedgerSystem({
    services: ['audit-api', 'ingest-api', 'audit-projector', 'escalation-worker', 'notifier'],
    env: {
      'audit-api': { LEDGER_WEBHOOK_ALLOWLIST: '127.0.0.1/32' },
      notifier: notifierEnv,
    },
  });
  /** A webhook endpoint that answers 503 to its first request and 204 after. */
  let receiver: Server;
  let received = 0;
  const at = (minutesAgo: number, plusMs = 0) => new Date(Date.now() - minutesAgo * 60_000 + plusMs).toISOString();
  let tenant: TestTenant;
  let browser: TestBrowser;
  let page: Page;

  // The seeded record: 9 actions, 3 of them failed (one of a critical tool, which opens an escalation).
  const s = system.suffix;
  const ids = {
    refund: `refund-${s}`,
    emails: [1, 2, 3, 4].map((i) => `email-${i}-${s}`),
    lookups: [1, 2].map((i) => `lookup-${i}-${s}`),
    deletion: `delete-${s}`,
    cancel: `cancel-${s}`,
  };
  const failedIds = [...ids.lookups, ids.deletion];
  const sessions = { a: `sess-a-${s}`, b: `sess-b-${s}`, c: `sess-c-${s}`, live: `sess-live-${s}` };
  const opsAddress = `ops-${s}@example.com`;

  function seed(): ActionEventInput[] {
    const refundTool = { name: 'refund_order', provider: 'shop', riskLevel: 'destructive' as const };
    const lookupTool = { name: 'lookup_order', provider: 'shop', riskLevel: 'safe' as const };
    const emailTool = { name: 'send_email', provider: 'mailer', riskLevel: 'safe' as const };
    const actor = { type: 'user' as const, id: `cust-${s}` };
    return [
      anActionEventInput({ type: 'action.attempted', actionId: ids.refund, sessionId: sessions.a, actor, tool: refundTool, occurredAt: at(30), input: { orderId: 'A-1', amount: 25, password: 'hunter2' }, approval: { required: true, decision: 'not_required' } }),
      anActionEventInput({ type: 'action.confirmed', actionId: ids.refund, sessionId: sessions.a, actor, tool: refundTool, occurredAt: at(30, 4_000), approval: { required: true, decision: 'approved', approvedBy: 'ana@example.com', method: 'slack', decisionMs: 4_000 } }),
      anActionEventInput({ type: 'action.executed', actionId: ids.refund, sessionId: sessions.a, actor, tool: refundTool, occurredAt: at(30, 4_500), durationMs: 340 }),
      ...ids.emails.map((actionId, i) => anActionEventInput({ type: 'action.executed', actionId, sessionId: i < 2 ? sessions.a : sessions.b, tool: emailTool, occurredAt: at(25 - i), durationMs: 80 + i })),
      ...ids.lookups.flatMap((actionId, i) => [
        anActionEventInput({ type: 'action.attempted', actionId, sessionId: sessions.b, tool: lookupTool, occurredAt: at(20 - i) }),
        anActionEventInput({ type: 'action.failed', actionId, sessionId: sessions.b, tool: lookupTool, occurredAt: at(20 - i, 900), error: { message: 'order service timed out', code: 'E_TIMEOUT' } }),
      ]),
      anActionEventInput({ type: 'action.failed', actionId: ids.deletion, sessionId: sessions.c, tool: { name: 'delete_account', provider: 'crm', riskLevel: 'critical' }, occurredAt: at(15), error: { message: 'account is locked', code: 'E_LOCKED' } }),
      anActionEventInput({ type: 'action.attempted', actionId: ids.cancel, sessionId: sessions.c, tool: { name: 'cancel_subscription', provider: 'billing', riskLevel: 'moderate' }, occurredAt: at(10), approval: { required: true, decision: 'not_required' } }),
      anActionEventInput({ type: 'action.cancelled', actionId: ids.cancel, sessionId: sessions.c, tool: { name: 'cancel_subscription', provider: 'billing', riskLevel: 'moderate' }, occurredAt: at(10, 2_000), approval: { required: true, decision: 'rejected', approvedBy: 'bo@example.com' } }),
    ];
  }

  beforeAll(async () => {
    if (!existsSync(join(WORKSPACE_ROOT, 'dist', 'apps', 'dashboard', 'public', 'index.html'))) {
      throw new Error('the dashboard is not built (dist/apps/dashboard/public/index.html is missing): run "npm run build" first (npm test does)');
    }
    mkdirSync(SCREENSHOTS, { recursive: true });
    const receiverPort = await freePort();
    receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.statusCode = received++ === 0 ? 503 : 204;
        res.end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(receiverPort, '127.0.0.1', resolve));
    await smtp.start();
    notifierEnv.SMTP_PORT = String(smtp.port);
    await system.startKafkaGroupAtTopicEnd(notifierGroup, ESCALATIONS_TOPIC);
    for (const topic of [ACTION_EVENTS_DLQ_TOPIC, ESCALATIONS_DLQ_TOPIC]) await system.startKafkaGroupAtTopicEnd(`${system.projectorGroup}-dead-letters`, topic);
    await system.start();
    tenant = await system.createTenant(`dashboard-${s}`);
    const channels = await system.api('PUT', '/v1/channels', tenant.apiKeys.admin, {
      email: { recipients: [opsAddress] },
      webhooks: [{ url: `http://127.0.0.1:${receiverPort}/hook`, format: 'standard' }],
    });
    expect(channels.status).toBe(200);
    const events = seed();
    expect((await system.postEvents(tenant.apiKeys.ingest, { events })).status).toBe(202);
    await system.waitForStored(tenant.tenantId, events.length + 1); // + the tenant.created change
    await waitFor(async () => (await system.api<{ items: unknown[] }>('GET', `/v1/escalations?sessionId=${sessions.c}`, tenant.apiKeys.read)).body.items?.length > 0, {
      timeoutMs: 30_000,
      what: 'the escalation of the failed critical action',
    }).catch((err: Error) => {
      const logs = (['escalation-worker', 'audit-projector', 'notifier'] as const).map((n) => `--- ${n} ---\n${system.service(n).logs().slice(-2_000)}`).join('\n');
      throw new Error(`${err.message}\n${logs}`);
    });
    browser = await launchBrowser(system.url('audit-api'));
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await system.stop();
    await new Promise((resolve) => receiver?.close(resolve));
    await smtp.stop();
  });

  /** Signs in through the form with the keyboard, from whatever state the tab is in. */
  async function signIn(key: string): Promise<void> {
    await page.goto('/');
    const signOut = page.getByRole('button', { name: 'Sign out' });
    if (await signOut.isVisible()) await signOut.click();
    const field = page.getByLabel('API key');
    await field.waitFor();
    await field.fill(key);
    await field.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
  }

  /** An expression evaluated in the page (a string: these tests are compiled without the DOM types). */
  const inPage = <T = unknown>(expression: string) => page.evaluate(expression) as Promise<T>;
  const text = async (testId: string) => (await page.getByTestId(testId).textContent())?.trim();
  const rowIds = () => page.locator('tbody tr[data-action-id]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-action-id')));

  it('should serve the page for client routes with cache headers and leave API paths to the API', async () => {
    const base = system.url('audit-api');
    const page1 = await fetch(`${base}/actions/act-1?status=failed`, { headers: { 'accept-encoding': 'gzip' } });
    expect(page1.status).toBe(200);
    expect(page1.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page1.headers.get('cache-control')).toBe('no-cache');
    expect(page1.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page1.text();
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${base}${script}`);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${base}${script}`, { headers: { 'if-none-match': asset.headers.get('etag')! } })).status).toBe(304);

    const missing = await fetch(`${base}/v1/no-such-endpoint`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { status: 404 } });
    expect((await fetch(`${base}/assets/gone-123.js`)).status).toBe(404);
    expect((await fetch(`${base}/health/live`)).headers.get('content-type')).toMatch(/^application\/json/);
    expect((await fetch(`${base}/metrics`)).headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await (await fetch(`${base}/docs-json`)).json()).toHaveProperty('paths./v1/actions');
    expect((await fetch(`${base}/v1/actions`)).status).toBe(401);
  });

  it('should show the seeded totals and a verified integrity badge when signed in with a read key', async () => {
    await system.waitForCheckpointAtHeads(tenant.tenantId); // verified means every row is signed
    await signIn(tenant.apiKeys.read);
    await waitFor(async () => (await text('card-total-actions')) === '9', { timeoutMs: 10_000, what: 'total actions 9' });
    expect(await text('card-failed')).toBe('3');
    expect(await text('card-cancelled')).toBe('1');
    // Both rates, named: executed of all actions, and executed of the finished ones.
    expect(await text('card-success-rate')).toBe('55.6%'); // 5 executed of 9 actions
    expect(await text('card-success-of-finished')).toBe('62.5%'); // 5 executed of 5 + 3 failed
    await waitFor(async () => (await text('card-open-escalations')) === '1', { timeoutMs: 10_000, what: 'one open escalation' });
    await page.getByRole('heading', { name: 'Top failing tools' }).waitFor();
    expect(await page.locator('section', { has: page.getByRole('heading', { name: 'Top failing tools' }) }).locator('tbody tr').allInnerTexts()).toEqual([
      expect.stringMatching(/^lookup_order\s+2\s+2\s+100%$/),
      expect.stringMatching(/^delete_account\s+1\s+1\s+100%$/),
    ]);
    expect(await page.getByTestId('activity-chart').locator('desc').textContent()).toMatch(/^9 actions and 3 failures/);
    await waitFor(async () => (await page.getByTestId('integrity-badge').getAttribute('data-state')) !== 'busy', { timeoutMs: 15_000, what: 'the integrity check' });
    expect(await page.getByTestId('integrity-badge').innerText()).toMatch(/^✔\s+Integrity verified\s+\d+ events? and \d+ signed checkpoints? check out/);
    // The key is in this tab's session storage and in no URL.
    expect(page.url()).not.toContain(tenant.apiKeys.read);
    expect(await inPage<string | null>("sessionStorage.getItem('agent-ledger.session')")).toContain(tenant.apiKeys.read);
  });

  it('should list only the failed actions when the status filter is applied', async () => {
    await signIn(tenant.apiKeys.read);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Actions' }).click();
    await page.getByRole('heading', { level: 1, name: 'Actions' }).waitFor();
    await waitFor(async () => (await rowIds()).length === 9, { what: 'all nine actions listed' });
    await page.getByLabel('Status').selectOption('failed');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.waitForURL(/\/actions\?status=failed$/);
    await waitFor(async () => (await rowIds()).length === 3, { what: 'three failed actions' });
    expect((await rowIds()).sort()).toEqual([...failedIds].sort());
    expect(await page.locator('tbody tr').locator('td[data-label="Status"]').allInnerTexts()).toEqual(['failed', 'failed', 'failed']);
    // Search by session narrows further; the filters live in the URL, so a reload keeps them.
    await page.getByLabel('Session ID').fill(sessions.b);
    await page.getByLabel('Session ID').press('Enter');
    await page.waitForURL(new RegExp(`sessionId=${sessions.b}`));
    await page.reload();
    await waitFor(async () => (await rowIds()).length === 2, { what: 'the two failed lookups of session b' });
    expect((await rowIds()).sort()).toEqual([...ids.lookups].sort());
    // The whole session is summarised beside the filtered list.
    const summary = page.getByRole('region', { name: `Session ${sessions.b}` });
    await summary.getByText('By status').waitFor();
    expect(await summary.innerText()).toMatch(/Actions\s+4 \(6 events\)[\s\S]*By status\s+2 executed, 2 failed/);
  });

  it('should show the timeline with approval, durations and redaction markers when an action is opened', async () => {
    await signIn(tenant.apiKeys.read);
    await page.goto('/actions?tool=refund_order');
    await page.getByRole('link', { name: /refund_order/ }).first().click();
    await page.waitForURL(`**/actions/${ids.refund}`);
    const timeline = page.getByTestId('timeline');
    await timeline.waitFor();
    expect(await timeline.locator(':scope > li strong').allInnerTexts()).toEqual(['action.attempted', 'action.confirmed', 'action.executed']);
    const body = await page.locator('main').innerText();
    expect(body).toContain('approved by ana@example.com');
    expect(body).toMatch(/Execution time\s+340 ms/);
    expect(body).toMatch(/Waited for approval\s+4\.0 s/);
    expect(await page.getByTestId('redaction-marker').first().innerText()).toContain('/input/password');
    expect(body).not.toContain('hunter2');
  });

  it('should show the error of a failed action in its detail view', async () => {
    await signIn(tenant.apiKeys.read);
    await page.goto(`/actions/${ids.deletion}`);
    await page.getByRole('heading', { level: 1, name: /delete_account/ }).waitFor();
    expect(await page.getByRole('note', { name: 'Error' }).innerText()).toBe('Error E_LOCKED: account is locked');
  });

  it('should add a newly posted action to the table and announce it without a reload when live updates are on', async () => {
    await signIn(tenant.apiKeys.read);
    await page.goto('/actions');
    await waitFor(async () => (await page.getByTestId('live-status').getAttribute('data-status')) === 'live', { what: 'the live stream connected' });
    await inPage('window.notReloaded = true');
    const actionId = `live-${s}`;
    const posted = await system.postEvents(tenant.apiKeys.ingest, {
      events: [anActionEventInput({ type: 'action.executed', actionId, sessionId: sessions.live, tool: { name: 'issue_voucher', provider: 'shop', riskLevel: 'moderate' }, durationMs: 42 })],
    });
    expect(posted.status).toBe(202);
    const row = page.locator(`tbody tr[data-action-id="${actionId}"]`);
    await row.waitFor({ timeout: 20_000 });
    expect((await rowIds())[0]).toBe(actionId);
    expect(await row.innerText()).toContain('issue_voucher');
    await waitFor(async () => /new action: issue_voucher executed/.test((await text('announcer')) ?? ''), { what: 'the live region announcing it' });
    expect(await page.getByTestId('live-events').innerText()).toContain('action.executed');
    expect(await inPage<boolean | undefined>('window.notReloaded')).toBe(true);
  });

  it('should download the events of the current filter as CSV when Export CSV is clicked', async () => {
    await signIn(tenant.apiKeys.read);
    await page.goto('/actions?status=failed');
    await waitFor(async () => (await rowIds()).length === 3, { what: 'three failed actions' });
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^agent-ledger-events-.*\.csv$/);
    const file = join(SCREENSHOTS, '..', `export-${s}.csv`);
    await download.saveAs(file);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as { actionId: string; type: string; errorMessage: string }[];
    expect([...new Set(rows.map((r) => r.actionId))].sort()).toEqual([...failedIds].sort());
    expect(rows.filter((r) => r.type === 'action.failed').map((r) => r.errorMessage).sort()).toEqual(['account is locked', 'order service timed out', 'order service timed out']);
    expect(await text('export-done')).toMatch(/^Downloaded agent-ledger-events-.*\.csv/);
  });

  it('should fit every view in a 390 px phone screen and a 1280 px desktop when screenshots are taken', async () => {
    await signIn(tenant.apiKeys.read);
    const views = [
      ['overview', '/', 'Overview'],
      ['actions', '/actions', 'Actions'],
      ['action', `/actions/${ids.refund}`, /refund_order/],
      ['escalations', '/escalations', 'Escalations'],
      ['dead-letters', '/dead-letters', 'Dead letters'],
    ] as const;
    for (const [size, viewport] of [
      ['desktop', DESKTOP],
      ['phone', PHONE],
    ] as const) {
      await page.setViewportSize(viewport);
      for (const [name, path, heading] of views) {
        await page.goto(path);
        await page.getByRole('heading', { level: 1, name: heading }).waitFor();
        await waitFor(async () => (await page.locator('[aria-busy="true"]').count()) === 0, { timeoutMs: 10_000, what: `${name} loaded` });
        const overflow = await inPage<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');
        expect({ view: `${name} at ${size}`, overflow }).toEqual({ view: `${name} at ${size}`, overflow: 0 });
        await page.screenshot({ path: join(SCREENSHOTS, `${name}-${size}.png`), fullPage: true });
      }
    }
    await page.setViewportSize(DESKTOP);
  });

  it('should reach the skip link, the navigation and the page content in that order when tabbing', async () => {
    await signIn(tenant.apiKeys.read);
    await page.goto('/escalations');
    await page.getByRole('heading', { level: 1, name: 'Escalations' }).waitFor();
    // Tabbing starts from the top of the document: a script-focusable marker before the app is
    // focused (a route change or a removed element may otherwise have left the starting point in
    // the page).
    await inPage("document.body.insertAdjacentHTML('afterbegin', '<span id=\"tab-start\" tabindex=\"-1\"></span>'); document.getElementById('tab-start').focus()");
    expect(await inPage<string | undefined>('document.activeElement?.id')).toBe('tab-start');
    const focused: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      focused.push(await inPage<string | undefined>('document.activeElement?.textContent?.trim()'));
    }
    expect(focused).toEqual(['Skip to content', 'Overview', 'Actions', 'Escalations']);
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Enter'); // the skip link
    expect(await inPage<string | undefined>('document.activeElement?.id')).toBe('main');
  });

  /** The failed critical action's escalation, and the link its notification email carries (as a reader clicks it). */
  async function escalationEmailLink(): Promise<{ escalationId: string; link: string }> {
    const { body } = await system.api<{ items: { escalationId: string }[] }>('GET', `/v1/escalations?sessionId=${sessions.c}`, tenant.apiKeys.read);
    const escalationId = body.items[0].escalationId;
    const mail = await waitFor(async () => smtp.to(opsAddress).find((m) => m.headers.get('x-agent-ledger-escalation') === escalationId), {
      timeoutMs: 20_000,
      what: `the notification email of escalation ${escalationId}`,
    });
    const href = /<a href="([^"]+)">Open the escalation in agent-ledger<\/a>/.exec(mail.html)?.[1]?.replace(/&amp;/g, '&');
    expect(href).toBeDefined();
    expect(mail.text).toContain(`Open the escalation: ${href}`);
    return { escalationId, link: href! };
  }

  it("should open the escalation's page after sign-in when the link of its notification email is followed signed out", async () => {
    const { escalationId, link } = await escalationEmailLink();
    await page.goto('/');
    const signOut = page.getByRole('button', { name: 'Sign out' });
    if (await signOut.isVisible()) await signOut.click();
    await page.getByLabel('API key').waitFor();

    await page.goto(link);
    const field = page.getByLabel('API key');
    await field.fill(tenant.apiKeys.read);
    await field.press('Enter');
    await page.getByRole('heading', { level: 1, name: /action failed/ }).waitFor();
    expect(page.url()).toBe(link);
    const facts = await page.getByRole('region', { name: 'Summary' }).innerText();
    expect(facts).toContain(escalationId);
    expect(await page.locator('main').innerText()).toContain(sessions.c);
  });

  it("should move an old #/escalations/<id> link to the escalation's path and open its page", async () => {
    const { escalationId } = await escalationEmailLink();
    await signIn(tenant.apiKeys.read);
    const base = system.url('audit-api');
    await page.goto(`${base}/#/escalations/${escalationId}`);
    await page.getByRole('heading', { level: 1, name: /action failed/ }).waitFor();
    expect(page.url()).toBe(`${base}/escalations/${escalationId}`);
    expect(await page.getByRole('region', { name: 'Summary' }).innerText()).toContain(escalationId);
    // The old address was replaced, not kept in the history: Back returns to the page before it.
    await page.goBack();
    expect(page.url()).toBe(`${base}/`);
  });

  it('should acknowledge and then resolve an escalation with notes when signed in with an admin key', async () => {
    await signIn(tenant.apiKeys.admin);
    await page.goto('/escalations?status=open');
    const link = page.getByRole('link', { name: 'action failed' });
    await link.waitFor();
    await link.click();
    await page.getByRole('heading', { level: 1, name: /action failed/ }).waitFor();
    const id = page.url().split('/').pop()!;
    expect(await page.locator('main').innerText()).toContain(sessions.c);
    await page.getByLabel('Handled by (optional)').fill('ops@example.com');
    await page.getByLabel('Notes').fill('calling the customer');
    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await page.getByRole('heading', { level: 1, name: /acknowledged/ }).waitFor({ timeout: 25_000 });
    const body = await page.locator('main').innerText();
    expect(body).toMatch(/Acknowledged\s+.*by ops@example\.com — “calling the customer”/);
    const stored = await system.api<{ status: string; acknowledgedBy: string }>('GET', `/v1/escalations/${id}`, tenant.apiKeys.read);
    expect(stored.body).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'ops@example.com' });
    // The webhook of the opening: refused once (503), delivered on the second attempt.
    const opened = page.getByRole('article', { name: /^webhook to http:\/\/127\.0\.0\.1:\d+\/hook$/ }).filter({ hasText: 'escalation.opened' });
    await waitFor(
      async () => {
        if (/delivered/.test((await opened.innerText().catch(() => '')) ?? '')) return true;
        await page.getByRole('button', { name: 'Refresh' }).click();
        return false;
      },
      { timeoutMs: 20_000, intervalMs: 1_000, what: 'the delivered webhook with its attempts' },
    ).catch(async (err: Error) => {
      const log = await system.api('GET', `/v1/deliveries?escalationId=${id}`, tenant.apiKeys.read);
      throw new Error(`${err.message}; the delivery log says: ${JSON.stringify(log.body)}`);
    });
    expect(await opened.locator('tbody tr').allInnerTexts()).toEqual([expect.stringMatching(/^1\s.*retry\s+503\b/), expect.stringMatching(/^2\s.*delivered\s+204\b/)]);
    await page.screenshot({ path: join(SCREENSHOTS, 'escalation-desktop.png'), fullPage: true });

    // Resolving needs notes; it is recorded through the ledger like the acknowledgement.
    expect(await page.getByRole('button', { name: 'Resolve' }).isDisabled()).toBe(true);
    await page.getByLabel('Notes').fill('refund issued by phone');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('heading', { level: 1, name: /resolved/ }).waitFor({ timeout: 25_000 });
    expect(await page.locator('main').innerText()).toMatch(/Resolved\s+.*by ops@example\.com — “refund issued by phone”/);
    const resolved = await system.api<{ status: string; resolvedBy: string }>('GET', `/v1/escalations/${id}`, tenant.apiKeys.read);
    expect(resolved.body).toMatchObject({ status: 'resolved', resolvedBy: 'ops@example.com' });
  });

  it('should refuse acknowledging and say an admin key is needed when signed in with a read key', async () => {
    await signIn(tenant.apiKeys.read);
    const { body } = await system.api<{ items: { escalationId: string }[] }>('GET', `/v1/escalations?sessionId=${sessions.c}`, tenant.apiKeys.read);
    await page.goto(`/escalations/${body.items[0].escalationId}`);
    await page.getByRole('heading', { name: 'Handle' }).waitFor();
    expect(await page.locator('#admin-needed').innerText()).toContain('need an admin key');
  });

  it('should show a notice of dead letters on the overview, list them with reason and event id, and replay one with an admin key', async () => {
    // An event naming the tenant that fails the schema, as a direct Kafka producer could send it.
    const bad = { ...anActionEvent(tenant.tenantId, { type: 'action.attempted' }), tool: { name: 'refund_order', riskLevel: 'apocalyptic' } };
    const producer = new LedgerProducer(createKafka({ brokers: system.stack.kafkaBrokers, clientId: `dashboard-${s}` }));
    await producer.send(ACTION_EVENTS_TOPIC, [{ key: actionEventKey(tenant.tenantId, bad), value: JSON.stringify(bad) }]).finally(() => producer.disconnect());
    const listed = async () => (await system.api<{ items: { id: string; eventId: string }[] }>('GET', '/v1/dead-letters', tenant.apiKeys.read)).body.items?.find((l) => l.eventId === bad.eventId);
    const letter = await waitFor(listed, { timeoutMs: 30_000, what: 'the dead letter recorded' });

    await signIn(tenant.apiKeys.read);
    const notice = page.getByTestId('dead-letter-notice');
    await notice.waitFor();
    expect(await notice.innerText()).toMatch(/^\d+ dead letters? not replayed: messages naming this tenant/);
    await notice.getByRole('link', { name: 'See the dead letters' }).click();
    await page.getByRole('heading', { level: 1, name: 'Dead letters' }).waitFor();
    const row = page.locator(`tbody tr[data-letter-id="${letter.id}"]`);
    await row.waitFor();
    expect(await row.innerText()).toMatch(new RegExp(`schema[\\s\\S]*/tool/riskLevel[\\s\\S]*${bad.eventId}[\\s\\S]*not yet`));
    expect(await page.getByRole('button', { name: /^Replay/ }).count()).toBe(0);
    expect(await page.locator('#replay-admin-needed').innerText()).toContain('admin');

    await signIn(tenant.apiKeys.admin);
    await page.goto('/dead-letters?replayed=false');
    await row.getByRole('button', { name: `Replay dead letter ${letter.id}` }).click();
    await page.getByTestId('replay-result').waitFor();
    expect(await page.getByTestId('replay-result').innerText()).toMatch(/^Replayed 1 dead letter\b/);
    expect((await system.api('GET', `/v1/dead-letters/${letter.id}`, tenant.apiKeys.read)).body).toMatchObject({ replayCount: 1, replayedAt: expect.any(String) });
  });

  it('should show the API error as a message when the signed-in key is revoked', async () => {
    await signIn(tenant.apiKeys.admin);
    const adminKey = tenant.keys.find((k) => k.scopes.includes('admin'))!;
    expect((await system.http('DELETE', `${system.url('audit-api')}/v1/admin/keys/${adminKey.keyId}`, { key: system.rootKey })).status).toBe(200);
    await page.getByRole('button', { name: 'Refresh' }).click();
    const alert = page.getByRole('region', { name: 'Session problem' }).getByRole('alert');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/the API key is unknown or revoked[\s\S]*invalid_api_key/i);
    await page.getByRole('button', { name: 'Sign in again' }).click();
    const field = page.getByLabel('API key');
    await field.fill(tenant.apiKeys.admin);
    await field.press('Enter');
    const refused = page.getByRole('alert').filter({ hasText: 'Sign-in failed' });
    await refused.waitFor();
    expect(await refused.innerText()).toContain('invalid_api_key');
  });

  it('should have raised no script error and no blocked resource while the views were used', () => {
    expect(browser.errors).toEqual([]);
  });
});
