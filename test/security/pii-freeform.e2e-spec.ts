import { randomBytes, randomUUID } from 'node:crypto';
import { LedgerSystem, waitFor, type TestTenant } from '@agent-ledger/testing';

type Stored = { eventId: string; input?: Record<string, unknown>; output?: Record<string, unknown>; message?: { role: string; content: string }; subject?: { id: string; pii?: unknown } };
type Listed = { items: { event: Stored }[] };

/** How long ingest keeps a tenant's redaction settings in this suite (the default is 30 s). */
const SETTINGS_TTL_MS = 300;

/**
 * Free-form PII (docs/privacy.md#free-form-pii): e-mail addresses in `input` and phone numbers in
 * `output` are stored redacted under `redact`, moved into `subject.pii` and sealed under `encrypt`
 * (readable with the pii scope only, gone after the subject's erasure), kept under `off`; value
 * patterns set through PUT /v1/redaction apply to later events; bad settings are answered 400 by field.
 */
describe('Free-form PII', () => {
  const system = new LedgerSystem({
    services: ['ingest-api', 'audit-projector', 'audit-api'],
    env: { 'ingest-api': { INGEST_TENANT_CACHE_TTL_MS: String(SETTINGS_TTL_MS) } },
  });
  const mark = () => `m${randomBytes(5).toString('hex')}`;
  let tenant: TestTenant;
  let piiKey: string;

  const setRedaction = (json: unknown) => system.api<Record<string, unknown>>('PUT', '/v1/redaction', tenant.apiKeys.admin, json);

  /** Posts one event and returns it as stored (read through the audit API with `key`). */
  const ingest = async (body: Record<string, unknown>, key = tenant.apiKeys.read): Promise<Stored> => {
    const eventId = randomUUID();
    const posted = await system.postEvents(tenant.apiKeys.ingest, { eventId, type: 'action.executed', actionId: `a-${eventId}`, tool: { name: 'crm.note', riskLevel: 'safe' }, ...body });
    expect({ status: posted.status, body: posted.status === 202 ? {} : posted.body }).toEqual({ status: 202, body: {} });
    return readEvent(eventId, key);
  };

  const readEvent = (eventId: string, key: string): Promise<Stored> =>
    waitFor(
      async () => {
        const listed = await system.api<Listed>('GET', `/v1/events?limit=200`, key);
        return listed.body.items.find((i) => i.event.eventId === eventId)?.event;
      },
      { timeoutMs: 30_000, what: `event ${eventId} stored` },
    );

  /** Waits past ingest's settings cache so the next request reads what was just set. */
  const settle = () => new Promise((r) => setTimeout(r, SETTINGS_TTL_MS + 100));

  beforeAll(async () => {
    await system.start();
    tenant = await system.createTenant();
    const created = await system.http<{ key: string }>('POST', `${system.url('audit-api')}/v1/admin/tenants/${tenant.tenantId}/keys`, { key: system.rootKey, json: { scopes: ['read', 'pii'], name: 'dpo' } });
    expect(created.status).toBe(201);
    piiKey = created.body.key;
  }, 120_000);

  afterAll(() => system.stop());

  it('should keep free text as sent while the tenant keeps the default mode off', async () => {
    const got = await system.api<Record<string, unknown>>('GET', '/v1/redaction', tenant.apiKeys.admin);
    expect({ status: got.status, body: got.body }).toEqual({ status: 200, body: { keyPatterns: [], valuePatterns: [], freeTextPii: 'off', phoneRegion: null, updatedAt: null, default: true } });
    const email = `${mark()}@example.com`;
    const stored = await ingest({ input: { note: `reach ${email}` } });
    expect(stored.input).toEqual({ note: `reach ${email}` });
  }, 60_000);

  it('should store e-mail addresses in input and phone numbers in output redacted under redact', async () => {
    const put = await setRedaction({ freeTextPii: 'redact' });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ freeTextPii: 'redact', default: false });
    await settle();
    const email = `${mark()}.jane@example.org`;
    const stored = await ingest({ input: { note: `write to ${email} today`, to: [email] }, output: { reply: 'called +44 20 7946 0958 ok' }, subject: { id: `s-${mark()}` } }, piiKey);
    expect(stored.input).toEqual({ note: 'write to [REDACTED:email] today', to: ['[REDACTED:email]'] });
    expect(stored.output).toEqual({ reply: 'called [REDACTED:phone] ok' });
    // A chat message's content is free text too.
    const messageId = randomUUID();
    const chat = await system.postEvents(tenant.apiKeys.ingest, { eventId: messageId, type: 'message.recorded', sessionId: `c-${mark()}`, message: { role: 'user', content: `I am ${email}, call +44 20 7946 0958` } });
    expect(chat.status).toBe(202);
    expect((await readEvent(messageId, tenant.apiKeys.read)).message).toEqual({ role: 'user', content: 'I am [REDACTED:email], call [REDACTED:phone]' });
    const rows = await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND event_json LIKE $2`, [tenant.tenantId, `%${email}%`]);
    expect(rows.rows[0].n).toBe(0);
  }, 60_000);

  it('should seal them under the subject under encrypt: readable with the pii scope only, gone after erasure', async () => {
    expect((await setRedaction({ freeTextPii: 'encrypt', phoneRegion: 'US' })).status).toBe(200);
    await settle();
    const subjectId = `s-${mark()}`;
    const email = `${mark()}@example.net`;
    const phone = '(415) 555-2671';
    const sent = { input: { note: `mail ${email}` }, output: { reply: `call ${phone}` }, subject: { id: subjectId, pii: { name: 'Jane' } } };
    const withPii = await ingest(sent, piiKey);
    expect(withPii.input).toEqual({ note: 'mail [PII:email]' });
    expect(withPii.output).toEqual({ reply: 'call [PII:phone]' });
    expect(withPii.subject).toEqual({
      id: subjectId,
      pii: {
        name: 'Jane',
        $freeText: [
          { path: '/input/note', kind: 'email', value: email },
          { path: '/output/reply', kind: 'phone', value: phone },
        ],
      },
    });

    const asRead = await readEvent(withPii.eventId, tenant.apiKeys.read);
    expect(asRead.subject!.pii).toEqual({ $redacted: 'pii scope required' });
    expect(JSON.stringify(asRead)).not.toContain(email);
    const rows = await system.db.query(`SELECT count(*)::int AS n FROM audit_events WHERE tenant_id = $1 AND (event_json LIKE $2 OR event_json LIKE $3)`, [tenant.tenantId, `%${email}%`, '%555-2671%']);
    expect(rows.rows[0].n).toBe(0);

    // Without a subject there is no key to seal under: redacted.
    const anonymous = await ingest({ input: { note: `mail ${email}` } }, piiKey);
    expect(anonymous.input).toEqual({ note: 'mail [REDACTED:email]' });

    expect((await system.api('POST', `/v1/subjects/${encodeURIComponent(subjectId)}/erase`, tenant.apiKeys.admin, {})).status).toBe(200);
    const erased = await readEvent(withPii.eventId, piiKey);
    expect(erased.subject!.pii).toEqual({ $erased: true });
    expect(JSON.stringify(erased)).not.toContain(email);
  }, 90_000);

  it('should apply value patterns set through the API to later events, and record the change', async () => {
    const employee = `EMP-${String(randomBytes(3).readUIntBE(0, 3) % 1_000_000).padStart(6, '0')}`;
    const before = await ingest({ input: { note: `by ${employee}` } });
    expect(before.input).toEqual({ note: `by ${employee}` });

    const put = await setRedaction({ valuePatterns: ['EMP-[0-9]{6}'], keyPatterns: ['iban'], freeTextPii: 'redact', phoneRegion: null });
    expect(put.body).toMatchObject({ valuePatterns: ['EMP-[0-9]{6}'], keyPatterns: ['iban'], freeTextPii: 'redact', phoneRegion: null });
    const got = await system.api<Record<string, unknown>>('GET', '/v1/redaction', tenant.apiKeys.admin);
    expect(got.body).toEqual(put.body);
    await settle();
    const after = await ingest({ input: { note: `by ${employee}`, iban: 'DE89370400440532013000' } });
    expect(after.input).toEqual({ note: 'by [REDACTED:pattern]', iban: '[REDACTED]' });

    type Change = { event: { type: string; resource?: { type: string }; changes?: { before: { valuePatterns: string[] }; after: { valuePatterns: string[] } } } };
    const change = await waitFor(
      async () =>
        (await system.api<{ items: Change[] }>('GET', '/v1/events?type=change.recorded&limit=50', tenant.apiKeys.read)).body.items.find(
          (i) => i.event.resource?.type === 'redaction_settings' && i.event.changes?.after.valuePatterns.length === 1,
        ),
      { timeoutMs: 30_000, what: 'the redaction change recorded' },
    );
    expect(change.event.changes!.before.valuePatterns).toEqual([]);
    expect(change.event.changes!.after.valuePatterns).toEqual(['EMP-[0-9]{6}']);
  }, 90_000);

  it('should take the key as X-API-Key on ingest and audit-api, and refuse two different keys with 400', async () => {
    const viaHeader = await fetch(`${system.url('audit-api')}/v1/redaction`, { headers: { 'x-api-key': tenant.apiKeys.admin } });
    expect(viaHeader.status).toBe(200);
    expect(((await viaHeader.json()) as { freeTextPii: string }).freeTextPii).toBe('redact');
    const eventId = randomUUID();
    const posted = await fetch(`${system.url('ingest-api')}/v1/events`, {
      method: 'POST',
      headers: { 'x-api-key': tenant.apiKeys.ingest, 'content-type': 'application/json' },
      body: JSON.stringify({ eventId, type: 'action.executed', actionId: `a-${eventId}`, tool: { name: 'crm.note', riskLevel: 'safe' } }),
    });
    expect(posted.status).toBe(202);
    const both = await fetch(`${system.url('audit-api')}/v1/redaction`, { headers: { 'x-api-key': tenant.apiKeys.admin, authorization: `Bearer ${tenant.apiKeys.read}` } });
    expect({ status: both.status, body: await both.json() }).toMatchObject({ status: 400, body: { error: { code: 'conflicting_api_keys', field: 'X-API-Key' } } });
    const doc = (await (await fetch(`${system.url('audit-api')}/docs-json`)).json()) as { components: { securitySchemes: Record<string, unknown> } };
    expect(doc.components.securitySchemes.apiKeyHeader).toMatchObject({ type: 'apiKey', in: 'header', name: 'X-API-Key' });
  }, 30_000);

  it('should answer bad settings 400 with code and field, and refuse a read key', async () => {
    const cases: [unknown, string][] = [
      [{ valuePatterns: ['(a)\\1'] }, '/valuePatterns/0'],
      [{ valuePatterns: ['ok', '(?=x)y'] }, '/valuePatterns/1'],
      [{ valuePatterns: ['.*'] }, '/valuePatterns/0'],
      [{ valuePatterns: ['x'.repeat(201)] }, '/valuePatterns/0'],
      [{ freeTextPii: 'hash' }, '/freeTextPii'],
      [{ phoneRegion: 'ZZ' }, '/phoneRegion'],
      [{ keyPatterns: ['a*b'] }, '/keyPatterns/0'],
    ];
    for (const [json, field] of cases) {
      const answer = await setRedaction(json);
      expect({ json, status: answer.status, code: (answer.body.error as { code?: string })?.code, field: (answer.body.error as { field?: string })?.field }).toEqual({ json, status: 400, code: 'validation_failed', field });
    }
    expect((await system.api('PUT', '/v1/redaction', tenant.apiKeys.read, { freeTextPii: 'off' })).status).toBe(403);
  }, 60_000);
});
