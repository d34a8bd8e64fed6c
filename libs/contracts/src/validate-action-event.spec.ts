import {
  ACTION_EVENT_LIMITS,
  ACTION_TYPES,
  PRODUCER_EVENT_TYPES,
  prefixPointer,
  stampActionEvent,
  validateActionEvent,
  validateActionEventInput,
  type ActionEventInput,
  type FieldError,
  type ProducerEventType,
} from './index';

const TENANT_ID = '6f1c2a57-3d4e-4b8a-9c0d-1e2f3a4b5c6d';
const RECEIVED_AT = '2025-03-01T10:00:01.250Z';

const agent = { id: 'agent-support-1', name: 'Support agent', version: '2.3.0' };
const tool = { name: 'stripe.refund', provider: 'stripe', riskLevel: 'destructive' } as const;

/** One realistic, valid input per event type; the Record type makes the compiler demand every type. */
const validInputs: Record<ProducerEventType, ActionEventInput> = {
  'action.attempted': {
    type: 'action.attempted',
    eventId: '0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a',
    actionId: 'act_42',
    sessionId: 'sess_7',
    occurredAt: '2025-03-01T10:00:00.000Z',
    agent,
    actor: { type: 'agent', id: 'agent-support-1', ip: '203.0.113.9', userAgent: 'agent-sdk/1.0' },
    tool,
    input: { orderId: 'ord_1', amount: 1999, nested: { anything: [1, 'two', null] } },
    approval: { required: true },
    subject: { id: 'cus_9', pii: { email: 'jane@example.com' } },
    metadata: { model: 'gpt-x', tags: ['refund'] },
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
  },
  'action.confirmed': {
    type: 'action.confirmed',
    actionId: 'act_42',
    approval: { required: true, decision: 'approved', approvedBy: 'user_5', method: 'slack', decisionMs: 4200 },
  },
  'action.executed': { type: 'action.executed', actionId: 'act_42', output: { refundId: 're_1' }, durationMs: 812.5, tool },
  'action.failed': {
    type: 'action.failed',
    actionId: 'act_43',
    error: { message: 'card_declined by issuer', code: 'card_declined', details: { attempt: 2 } },
    durationMs: 0,
  },
  'action.cancelled': { type: 'action.cancelled', actionId: 'act_44', approval: { required: true, decision: 'rejected', approvedBy: 'user_5' } },
  'signal.handoff_requested': { type: 'signal.handoff_requested', sessionId: 'sess_7', actor: { type: 'user', id: 'cus_9' } },
  'signal.agent_handoff': { type: 'signal.agent_handoff', sessionId: 'sess_7', agent, metadata: { toAgent: 'billing-agent' } },
  'signal.permission_denied': { type: 'signal.permission_denied', sessionId: 'sess_7', tool: { name: 'crm.delete_contact', riskLevel: 'critical' } },
  'signal.rate_limited': { type: 'signal.rate_limited', sessionId: 'sess_7', metadata: { retryAfterMs: 3000 } },
  'signal.budget_exceeded': { type: 'signal.budget_exceeded', sessionId: 'sess_7', metadata: { budgetUsd: 5, spentUsd: 5.2 } },
  'change.recorded': {
    type: 'change.recorded',
    actor: { type: 'system', id: 'agent-ledger' },
    resource: { type: 'api_key', id: 'key_3' },
    changes: { before: null, after: { scopes: ['ingest'] } },
  },
  'message.recorded': {
    type: 'message.recorded',
    sessionId: 'sess_7',
    taskId: 'task_1',
    message: { role: 'user', content: 'Please refund order ord_1', tokens: 7, model: 'gpt-x' },
  },
  'task.queued': { type: 'task.queued', taskId: 'task_1', sessionId: 'sess_7', plan: { planId: 'plan_1', stepId: 'step_2', parentPlanId: 'plan_0' } },
  'task.completed': { type: 'task.completed', taskId: 'task_1', durationMs: 5120, budget: { used: 0.42, limit: 5, unit: 'usd' } },
  'task.failed': { type: 'task.failed', taskId: 'task_2', error: { message: 'crm timed out', code: 'timeout' } },
};

function errorsOf(result: { ok: boolean; errors?: FieldError[] }): FieldError[] {
  if (result.ok) throw new Error('expected validation to fail');
  return result.errors!;
}

function pointersAndCodes(errors: FieldError[]): Array<[string, string]> {
  return errors.map((e) => [e.pointer, e.code]);
}

describe(validateActionEventInput.name, () => {
  it.each(PRODUCER_EVENT_TYPES.map((t) => [t]))('should accept a valid %s input', (type) => {
    const result = validateActionEventInput(validInputs[type]);

    expect(result).toEqual({ ok: true, value: validInputs[type] });
  });

  it('should accept a minimal signal when only the type is given', () => {
    expect(validateActionEventInput({ type: 'signal.rate_limited' }).ok).toBe(true);
  });

  it('should report every invalid field with its exact pointer when many fields are wrong', () => {
    const result = validateActionEventInput({
      type: 'action.executed',
      eventId: 'not-a-uuid',
      occurredAt: '2025-03-01 noon',
      sessionId: 42,
      agent: { id: 'a' },
      actor: { type: 'robot', id: 'x', ip: '999.1.1.1' },
      tool: { name: 'refund', riskLevel: 'extreme', colour: 'red' },
      approval: { required: 'yes', decision: 'maybe' },
      durationMs: -1,
      input: 'not an object',
      traceparent: 'abc',
      unknownField: true,
    });

    expect(pointersAndCodes(errorsOf(result))).toEqual(
      expect.arrayContaining([
        ['/actionId', 'required'],
        ['/unknownField', 'additionalProperties'],
        ['/eventId', 'format'],
        ['/occurredAt', 'format'],
        ['/sessionId', 'type'],
        ['/agent/name', 'required'],
        ['/actor/type', 'enum'],
        ['/actor/ip', 'format'],
        ['/tool/colour', 'additionalProperties'],
        ['/tool/riskLevel', 'enum'],
        ['/input', 'type'],
        ['/approval/required', 'type'],
        ['/approval/decision', 'enum'],
        ['/durationMs', 'minimum'],
        ['/traceparent', 'pattern'],
      ]),
    );
    expect(errorsOf(result)).toHaveLength(15);
  });

  it('should name the field and the allowed values in the message when an enum value is wrong', () => {
    const errors = errorsOf(validateActionEventInput({ type: 'signal.permission_denied', tool: { name: 'x', riskLevel: 'extreme' } }));

    expect(errors).toEqual([
      { pointer: '/tool/riskLevel', code: 'enum', message: 'tool.riskLevel must be one of: safe, moderate, destructive, critical' },
    ]);
  });

  it('should reject tenantId with a forbidden error when the producer sends it', () => {
    const errors = errorsOf(validateActionEventInput({ ...validInputs['signal.rate_limited'], tenantId: TENANT_ID }));

    expect(errors).toEqual([
      { pointer: '/tenantId', code: 'forbidden', message: 'tenantId must not be sent: the tenant is taken from the API key' },
    ]);
  });

  it('should reject receivedAt with a forbidden error when the producer sends it', () => {
    const errors = errorsOf(validateActionEventInput({ ...validInputs['signal.rate_limited'], receivedAt: RECEIVED_AT }));

    expect(pointersAndCodes(errors)).toEqual([['/receivedAt', 'forbidden']]);
  });

  it.each(ACTION_TYPES.map((t) => [t]))('should require actionId when the type is %s', (type) => {
    const { actionId: _omitted, ...withoutActionId } = validInputs[type];

    const errors = errorsOf(validateActionEventInput(withoutActionId));

    expect(errors).toEqual([{ pointer: '/actionId', code: 'required', message: `actionId is required when type is "${type}"` }]);
  });

  it('should require error when the type is action.failed', () => {
    const errors = errorsOf(validateActionEventInput({ type: 'action.failed', actionId: 'act_1' }));

    expect(pointersAndCodes(errors)).toEqual([['/error', 'required']]);
  });

  it('should require resource and changes when the type is change.recorded', () => {
    const errors = errorsOf(validateActionEventInput({ type: 'change.recorded' }));

    expect(pointersAndCodes(errors)).toEqual([
      ['/resource', 'required'],
      ['/changes', 'required'],
    ]);
  });

  it('should require type when it is missing', () => {
    expect(pointersAndCodes(errorsOf(validateActionEventInput({ actionId: 'a' })))).toEqual([['/type', 'required']]);
  });

  it('should reject an unknown type with the list of known types', () => {
    const errors = errorsOf(validateActionEventInput({ type: 'action.exploded', actionId: 'a' }));

    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ pointer: '/type', code: 'enum' });
    expect(errors[0].message).toContain('change.recorded');
  });

  it('should point at the root when the value is not an object', () => {
    for (const value of [null, 'event', 3, [validInputs['action.failed']]]) {
      expect(errorsOf(validateActionEventInput(value))).toEqual([{ pointer: '', code: 'type', message: 'event must be an object' }]);
    }
  });

  it('should accept unknown properties when they are nested in free-form objects', () => {
    const event: ActionEventInput = {
      type: 'change.recorded',
      resource: { type: 'rule', id: 'r1' },
      changes: { before: { anything: { deep: true } }, after: 'a string is fine too' },
      input: { whatever: { x: 1 } },
      output: { y: [] },
      metadata: { z: null },
      error: { message: 'm', details: { free: 'form' } },
      subject: { id: 's', pii: { phone: '+1 555' } },
    };

    expect(validateActionEventInput(event).ok).toBe(true);
  });

  it('should reject an unknown property when it is nested in a structured object', () => {
    const errors = errorsOf(validateActionEventInput({ type: 'signal.rate_limited', agent: { id: 'a', name: 'n', owner: 'x' } }));

    expect(errors).toEqual([{ pointer: '/agent/owner', code: 'additionalProperties', message: 'agent.owner is not a known property' }]);
  });

  it('should reject eventId when it is an uppercase or urn-prefixed UUID', () => {
    for (const eventId of ['0D9B8F4E-5B7A-4C1E-8F3A-2B6C9D1E0F7A', 'urn:uuid:0d9b8f4e-5b7a-4c1e-8f3a-2b6c9d1e0f7a']) {
      expect(pointersAndCodes(errorsOf(validateActionEventInput({ type: 'signal.rate_limited', eventId })))).toEqual([['/eventId', 'format']]);
    }
  });

  it.each([['2025-03-01T10:00:00Z'], ['2025-03-01T12:00:00.123456+02:00'], ['2025-03-01T10:00:00-05:30']])(
    'should accept occurredAt %s when it is an RFC 3339 date-time with a zone',
    (occurredAt) => {
      expect(validateActionEventInput({ type: 'signal.rate_limited', occurredAt }).ok).toBe(true);
    },
  );

  it.each([['2025-03-01T10:00:00'], ['2025-03-01'], ['2025-02-30T10:00:00Z'], ['2016-12-31T23:59:60Z'], ['1709287200000'], ['yesterday']])(
    'should reject occurredAt %s when it is not an RFC 3339 date-time JavaScript can parse',
    (occurredAt) => {
      expect(pointersAndCodes(errorsOf(validateActionEventInput({ type: 'signal.rate_limited', occurredAt })))).toEqual([['/occurredAt', 'format']]);
    },
  );

  it('should accept ids and names of exactly the limit and reject one character more', () => {
    const atLimit = 'x'.repeat(ACTION_EVENT_LIMITS.idMaxLength);
    const over = `${atLimit}x`;

    expect(validateActionEventInput({ type: 'action.attempted', actionId: atLimit, tool: { name: atLimit, riskLevel: 'safe' } }).ok).toBe(true);
    expect(
      pointersAndCodes(errorsOf(validateActionEventInput({ type: 'action.attempted', actionId: over, sessionId: over, tool: { name: over, riskLevel: 'safe' } }))),
    ).toEqual([
      ['/actionId', 'maxLength'],
      ['/sessionId', 'maxLength'],
      ['/tool/name', 'maxLength'],
    ]);
  });

  it('should reject an error message when it is longer than 4,000 characters', () => {
    const ok = validateActionEventInput({ type: 'action.failed', actionId: 'a', error: { message: 'm'.repeat(4_000) } });
    const tooLong = validateActionEventInput({ type: 'action.failed', actionId: 'a', error: { message: 'm'.repeat(4_001) } });

    expect(ok.ok).toBe(true);
    expect(errorsOf(tooLong)).toEqual([{ pointer: '/error/message', code: 'maxLength', message: 'error.message must be at most 4000 characters' }]);
  });

  it('should reject empty ids when they are present', () => {
    expect(pointersAndCodes(errorsOf(validateActionEventInput({ type: 'action.attempted', actionId: '' })))).toEqual([['/actionId', 'minLength']]);
  });

  it('should accept metadata of exactly 16 KiB and reject one byte more', () => {
    const envelope = JSON.stringify({ k: '' }).length; // {"k":""}
    const atLimit = { k: 'x'.repeat(ACTION_EVENT_LIMITS.metadataMaxBytes - envelope) };
    const over = { k: 'x'.repeat(ACTION_EVENT_LIMITS.metadataMaxBytes - envelope + 1) };

    expect(validateActionEventInput({ type: 'signal.rate_limited', metadata: atLimit }).ok).toBe(true);
    expect(errorsOf(validateActionEventInput({ type: 'signal.rate_limited', metadata: over }))).toEqual([
      { pointer: '/metadata', code: 'tooLarge', message: 'metadata must be at most 16384 bytes as JSON (is 16385)' },
    ]);
  });

  it('should measure metadata in UTF-8 bytes when it contains multi-byte characters', () => {
    // 6,000 euro signs are 6,000 characters but 18,000 bytes.
    const errors = errorsOf(validateActionEventInput({ type: 'signal.rate_limited', metadata: { note: '€'.repeat(6_000) } }));

    expect(pointersAndCodes(errors)).toEqual([['/metadata', 'tooLarge']]);
  });

  it('should report the metadata size together with schema errors when both are wrong', () => {
    const errors = errorsOf(validateActionEventInput({ type: 'action.failed', metadata: { k: 'x'.repeat(20_000) } }));

    expect(pointersAndCodes(errors)).toEqual([
      ['/actionId', 'required'],
      ['/error', 'required'],
      ['/metadata', 'tooLarge'],
    ]);
  });

  it('should escape the pointer when an unknown property name contains / or ~', () => {
    const errors = errorsOf(validateActionEventInput({ type: 'signal.rate_limited', 'a/b~c': 1 }));

    expect(pointersAndCodes(errors)).toEqual([['/a~1b~0c', 'additionalProperties']]);
  });
});

describe(validateActionEvent.name, () => {
  const stored = (type: ProducerEventType) => stampActionEvent(validInputs[type], { tenantId: TENANT_ID, receivedAt: RECEIVED_AT });

  it.each(PRODUCER_EVENT_TYPES.map((t) => [t]))('should accept a valid stored %s event', (type) => {
    const event = stored(type);

    expect(validateActionEvent(event)).toEqual({ ok: true, value: event });
  });

  it('should accept a retention.purged record in the stored form and refuse it from a producer', () => {
    const record = { type: 'retention.purged', resource: { type: 'retention', id: 'p-1' }, changes: { before: null, after: { anchors: [] } } } as const;
    const stamped = { ...record, eventId: '5f0c1e52-8f7b-4f27-9d55-0b3f1c2a7e10', occurredAt: RECEIVED_AT, receivedAt: RECEIVED_AT, tenantId: TENANT_ID };

    expect(validateActionEvent(stamped).ok).toBe(true);
    expect(pointersAndCodes(errorsOf(validateActionEventInput(record)))).toEqual([['/type', 'enum']]);
  });

  it('should require the stamped fields when they are missing', () => {
    const errors = errorsOf(validateActionEvent({ type: 'signal.rate_limited' }));

    expect(pointersAndCodes(errors)).toEqual([
      ['/eventId', 'required'],
      ['/tenantId', 'required'],
      ['/occurredAt', 'required'],
      ['/receivedAt', 'required'],
    ]);
  });

  it('should reject tenantId when it is not a UUID', () => {
    const errors = errorsOf(validateActionEvent({ ...stored('signal.rate_limited'), tenantId: 'acme' }));

    expect(pointersAndCodes(errors)).toEqual([['/tenantId', 'format']]);
  });

  it('should apply the type rules when validating the stored form', () => {
    const { error: _omitted, ...withoutError } = stored('action.failed');

    expect(pointersAndCodes(errorsOf(validateActionEvent(withoutError)))).toEqual([['/error', 'required']]);
  });

  it('should accept and keep unknown properties at every level when validating the stored form', () => {
    const later = { ...stored('action.executed'), extra: 1, tool: { name: 'x', riskLevel: 'safe', costClass: 'b' }, actor: { type: 'user', id: 'u', team: 't' } };

    expect(validateActionEvent(later)).toEqual({ ok: true, value: later });
  });

  it('should still check the known properties of a stored event when it carries unknown ones', () => {
    expect(pointersAndCodes(errorsOf(validateActionEvent({ ...stored('action.executed'), extra: 1, tool: { name: 'x', riskLevel: 'nope', more: 2 } })))).toEqual([
      ['/tool/riskLevel', 'enum'],
    ]);
  });

  describe('given the length of the JSON text the event was parsed from', () => {
    const withText = (text: string) => validateActionEvent(JSON.parse(text), Buffer.byteLength(text));

    it('should give the same answer as without it when the event is small', () => {
      const text = JSON.stringify(stored('action.executed'));

      expect(withText(text)).toEqual(validateActionEvent(JSON.parse(text)));
    });

    it('should still refuse metadata whose numbers grow past the limit once printed', () => {
      // "1e20" is 4 bytes of text and 21 digits as JSON: the text is under the limit, the event is not.
      const count = Math.floor(ACTION_EVENT_LIMITS.metadataMaxBytes / 6);
      const text = JSON.stringify(stored('action.executed')).replace(/}$/, `,"metadata":{"n":[${Array(count).fill('1e20').join(',')}]}}`);

      expect(Buffer.byteLength(text)).toBeLessThan(ACTION_EVENT_LIMITS.metadataMaxBytes);
      expect(pointersAndCodes(errorsOf(withText(text)))).toEqual([['/metadata', 'tooLarge']]);
      expect(withText(text)).toEqual(validateActionEvent(JSON.parse(text)));
    });

    it('should refuse an event over the limit exactly as without it', () => {
      const text = JSON.stringify({ ...stored('action.executed'), output: { blob: 'x'.repeat(ACTION_EVENT_LIMITS.eventMaxBytes) } });

      expect(pointersAndCodes(errorsOf(withText(text)))).toEqual([['', 'tooLarge']]);
    });
  });

  it('should refuse an unknown property in the input form at every level', () => {
    expect(pointersAndCodes(errorsOf(validateActionEventInput({ type: 'signal.rate_limited', extra: 1, actor: { type: 'user', id: 'u', team: 't' } })))).toEqual([
      ['/extra', 'additionalProperties'],
      ['/actor/team', 'additionalProperties'],
    ]);
  });
});

describe(prefixPointer.name, () => {
  it('should re-root every pointer under the batch item when given its pointer', () => {
    const batch: unknown[] = [validInputs['action.failed'], { type: 'signal.rate_limited', tool: { name: 'x', riskLevel: 'nope' } }, 'junk'];

    const errors = batch.flatMap((item, i) => {
      const result = validateActionEventInput(item);
      return result.ok ? [] : prefixPointer(result.errors, `/events/${i}`);
    });

    expect(pointersAndCodes(errors)).toEqual([
      ['/events/1/tool/riskLevel', 'enum'],
      ['/events/2', 'type'],
    ]);
  });

  it('should not modify the errors it is given', () => {
    const original: FieldError[] = [{ pointer: '/a', code: 'type', message: 'a must be a string' }];

    prefixPointer(original, '/events/0');

    expect(original[0].pointer).toBe('/a');
  });
});
