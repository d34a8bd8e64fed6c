import { REDACTED, redactCardNumbers, redactEvent, redactSecrets, type ActionEventInput } from './index';

// Test card numbers published by card networks: all pass the Luhn check.
const VISA = '4111111111111111';
const MASTERCARD = '5555555555554444';
const AMEX = '378282246310005';
const VISA_19 = '4111111111111111110'; // 19 digits, Luhn-valid
// Same length, one digit changed: fails the Luhn check.
const NOT_LUHN = '4111111111111112';

describe(redactSecrets.name, () => {
  it.each([
    ['password'],
    ['passwd'],
    ['secret'],
    ['token'],
    ['authorization'],
    ['api_key'],
    ['apikey'],
    ['cookie'],
    ['set-cookie'],
    ['private_key'],
    ['client_secret'],
  ])('should redact the value when the key is %s', (key) => {
    const result = redactSecrets({ [key]: 'hunter2', keep: 'visible' });

    expect(result).toEqual({ value: { [key]: REDACTED, keep: 'visible' }, redactedPaths: [`/${key}`] });
  });

  it.each([['Password'], ['DB_PASSWORD'], ['x-api-key'], ['X-Api-Key'], ['refreshToken'], ['Set_Cookie'], ['clientSecret'], ['PRIVATE-KEY'], ['api.key']])(
    'should redact the value when the key %s matches regardless of case and separators',
    (key) => {
      expect(redactSecrets({ [key]: 'v' }).value).toEqual({ [key]: REDACTED });
    },
  );

  it.each([['username'], ['email'], ['orderId'], ['author'], ['key'], ['api']])('should keep the value when the key %s matches no pattern', (key) => {
    expect(redactSecrets({ [key]: 'v' })).toEqual({ value: { [key]: 'v' }, redactedPaths: [] });
  });

  it('should redact secrets at any depth, inside arrays too, and report each pointer', () => {
    const value = {
      request: {
        headers: { Authorization: 'Bearer abc', 'Content-Type': 'application/json' },
        body: { users: [{ name: 'a', password: 'p1' }, { name: 'b', credentials: { api_key: 'k2' } }] },
      },
    };

    const result = redactSecrets(value);

    expect(result.value).toEqual({
      request: {
        headers: { Authorization: REDACTED, 'Content-Type': 'application/json' },
        body: { users: [{ name: 'a', password: REDACTED }, { name: 'b', credentials: { api_key: REDACTED } }] },
      },
    });
    expect(result.redactedPaths).toEqual(['/request/headers/Authorization', '/request/body/users/0/password', '/request/body/users/1/credentials/api_key']);
  });

  it('should replace the whole value when a matching key holds an object, a number or null', () => {
    const result = redactSecrets({ secrets: { a: 1 }, pin_password: 1234, token: null });

    expect(result.value).toEqual({ secrets: REDACTED, pin_password: REDACTED, token: REDACTED });
  });

  it('should redact tenant patterns when they are given as extra patterns', () => {
    const result = redactSecrets({ ssn: '078-05-1120', 'Customer-SSN': 'x', iban: 'DE89', other: 'y' }, ['SSN', 'iban']);

    expect(result.value).toEqual({ ssn: REDACTED, 'Customer-SSN': REDACTED, iban: REDACTED, other: 'y' });
  });

  it('should ignore an extra pattern when it is empty after normalization', () => {
    expect(redactSecrets({ a: 'x', b: 'y' }, ['', '--', '_']).value).toEqual({ a: 'x', b: 'y' });
  });

  it.each([
    [VISA, `${REDACTED}`],
    [`card ${VISA} ok`, `card ${REDACTED} ok`],
    ['card 4111 1111 1111 1111 ok', `card ${REDACTED} ok`],
    ['card 4111-1111-1111-1111 ok', `card ${REDACTED} ok`],
    ['5555 5555-5555 4444', REDACTED],
    [`amex ${AMEX}`, `amex ${REDACTED}`],
    ['amex 3782 822463 10005', `amex ${REDACTED}`],
    [`long ${VISA_19}`, `long ${REDACTED}`],
    [`two ${VISA} and ${MASTERCARD}.`, `two ${REDACTED} and ${REDACTED}.`],
    ['ref 12 4111 1111 1111 1111', `ref 12 ${REDACTED}`],
  ])('should redact the card number in %j when it passes the Luhn check', (input, expected) => {
    const result = redactSecrets({ note: input });

    expect(result).toEqual({ value: { note: expected }, redactedPaths: ['/note'] });
  });

  it.each([
    [NOT_LUHN],
    ['4111 1111 1111 1112'],
    ['order 123456789015'], // Luhn-valid but only 12 digits
    [`id ${VISA}1234567`], // 23 digits in one unbroken run: not a card, although its first 16 digits are
    ['41111111111111111115'], // 20 digits, Luhn-valid: longer than any card
    ['+1 (415) 555-2671'],
    ['2025-03-01T10:00:00Z'],
  ])('should keep %j when it is not a Luhn-valid 13–19 digit number', (input) => {
    expect(redactSecrets({ note: input })).toEqual({ value: { note: input }, redactedPaths: [] });
  });

  it('should not scan numbers for card numbers when the value is a JSON number', () => {
    expect(redactSecrets({ amount: 4111111111111111 }).value).toEqual({ amount: 4111111111111111 });
  });

  it('should redact a card number when the value itself is a string or an array of strings', () => {
    expect(redactSecrets(`pay ${VISA}`)).toEqual({ value: `pay ${REDACTED}`, redactedPaths: [''] });
    expect(redactSecrets(['x', VISA])).toEqual({ value: ['x', REDACTED], redactedPaths: ['/1'] });
  });

  it('should escape pointer tokens when keys contain / or ~', () => {
    expect(redactSecrets({ 'a/b': { '~token': 'x' } }).redactedPaths).toEqual(['/a~1b/~0token']);
  });

  it('should not mutate the input when it redacts', () => {
    const value = { password: 'p', nested: { card: VISA, list: [{ token: 't' }] } };
    const before = JSON.parse(JSON.stringify(value));

    const result = redactSecrets(value);

    expect(value).toEqual(before);
    expect(result.value).not.toBe(value);
    expect(result.value.nested).not.toBe(value.nested);
  });

  it('should keep a __proto__ key as an own property when copying parsed JSON', () => {
    const parsed = JSON.parse('{"__proto__": {"token": "t", "x": 1}}');

    const result = redactSecrets(parsed);

    expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(result.value, '__proto__')).toBe(true);
    expect(JSON.stringify(result.value)).toBe('{"__proto__":{"token":"[REDACTED]","x":1}}');
  });

  it('should throw a TypeError when the value is circular', () => {
    const a: Record<string, unknown> = {};
    a.self = a;

    expect(() => redactSecrets(a)).toThrow(TypeError);
  });
});

describe(redactCardNumbers.name, () => {
  it('should report whether it redacted anything', () => {
    expect(redactCardNumbers(`x ${MASTERCARD}`)).toEqual({ text: `x ${REDACTED}`, redacted: true });
    expect(redactCardNumbers(`x ${NOT_LUHN}`)).toEqual({ text: `x ${NOT_LUHN}`, redacted: false });
  });
});

describe(redactEvent.name, () => {
  const event: ActionEventInput = {
    type: 'action.failed',
    actionId: 'act_1',
    actor: { type: 'user', id: 'u1', userAgent: `Mozilla/5.0 token ${VISA}` },
    agent: { id: 'token-agent', name: 'password-reset bot' },
    tool: { name: 'stripe.charge', riskLevel: 'critical' },
    input: { card: { number: '4111 1111 1111 1111', cvc_token: 'tok_1' }, amount: 10 },
    output: { session_cookie: 'c', receipt: 'ok' },
    error: { message: `card ${MASTERCARD} declined`, code: 'declined', details: { Authorization: 'Bearer x', attempt: 1 } },
    changes: { before: { clientSecret: 'old' }, after: null },
    metadata: { 'X-Api-Key': 'k', customer_ssn: '078-05-1120', note: 'fine' },
  };

  it('should redact every free-form section and report pointers relative to the event', () => {
    const result = redactEvent(event, ['ssn']);

    expect(result.redactedPaths).toEqual([
      '/input/card/number',
      '/input/card/cvc_token',
      '/output/session_cookie',
      '/error/message',
      '/error/details/Authorization',
      '/changes/before/clientSecret',
      '/metadata/X-Api-Key',
      '/metadata/customer_ssn',
    ]);
    expect(result.event).toEqual({
      ...event,
      input: { card: { number: REDACTED, cvc_token: REDACTED }, amount: 10 },
      output: { session_cookie: REDACTED, receipt: 'ok' },
      error: { message: `card ${REDACTED} declined`, code: 'declined', details: { Authorization: REDACTED, attempt: 1 } },
      changes: { before: { clientSecret: REDACTED }, after: null },
      metadata: { 'X-Api-Key': REDACTED, customer_ssn: REDACTED, note: 'fine' },
    });
  });

  it('should leave actor, agent and tool alone when their values look sensitive', () => {
    const result = redactEvent(event);

    expect(result.event.actor).toEqual(event.actor);
    expect(result.event.agent).toEqual(event.agent);
    expect(result.event.tool).toEqual(event.tool);
  });

  it('should not mutate the event and should share no objects with it', () => {
    const before = JSON.parse(JSON.stringify(event));

    const result = redactEvent(event);

    expect(event).toEqual(before);
    expect(result.event.actor).not.toBe(event.actor);
    expect(result.event.error).not.toBe(event.error);
  });

  it('should redact card numbers in message.content and leave the original message alone', () => {
    const chat: ActionEventInput = { type: 'message.recorded', sessionId: 's', message: { role: 'user', content: `my card is ${VISA}, thanks` } };

    const result = redactEvent(chat);

    expect(result).toEqual({ event: { ...chat, message: { role: 'user', content: `my card is ${REDACTED}, thanks` } }, redactedPaths: ['/message/content'] });
    expect(chat.message!.content).toContain(VISA);
  });

  it('should return an equal event and no paths when there is nothing to redact', () => {
    const clean: ActionEventInput = { type: 'signal.rate_limited', sessionId: 's', metadata: { retryAfterMs: 100 } };

    expect(redactEvent(clean)).toEqual({ event: clean, redactedPaths: [] });
  });
});

describe('redaction of language-model usage counters', () => {
  it('should keep token counters when the key ends in "tokens"', () => {
    const { value, redactedPaths } = redactSecrets({ max_tokens: 512, usage: { promptTokens: 10, completion_tokens: 5 }, access_token: 'abc' });
    expect(value).toEqual({ max_tokens: 512, usage: { promptTokens: 10, completion_tokens: 5 }, access_token: '[REDACTED]' });
    expect(redactedPaths).toEqual(['/access_token']);
  });

  it('should redact a "tokens" key when a tenant pattern names it', () => {
    const { value } = redactSecrets({ refresh_tokens: ['a', 'b'] }, ['refresh_tokens']);
    expect(value).toEqual({ refresh_tokens: '[REDACTED]' });
  });
});
