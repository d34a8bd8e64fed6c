import fc from 'fast-check';
import { ACTION_EVENT_LIMITS, escapePointerToken, LATEST_INSTANT, MAX_JSON_DEPTH } from '@agent-ledger/contracts';

/**
 * Generated action events for the intake contract property: each carries the verdict the contract
 * gives it (docs/intake-contract.md), decided here by construction, never by calling the validator.
 * A refused event names the pointer (relative to the event) its error must start with.
 */
export interface GeneratedEvent {
  /** Event fields; some values are JSON text written as {@link rawJson} markers. */
  event: Record<string, unknown>;
  /** The edge case it exercises (for failure messages). */
  kind: string;
  refusedAt?: string;
  /**
   * Where a refusal is found: 1 the JSON rules (text, depth, finite numbers) on the whole body at
   * the HTTP edge; 2 each event against the contract; 3 the size once redacted and stamped (the
   * first such event stops the request). A request is refused at the first stage that finds a
   * problem, naming the fields found there.
   */
  stage?: number;
}

const rawTexts: string[] = [];
/**
 * JSON text that JSON.stringify cannot write (a literal such as 1e400, or 10,000 levels of arrays,
 * which would exhaust its stack): a marker that {@link toJsonBody} replaces with the text.
 */
const rawJson = (text: string) => `\u0001raw:${rawTexts.push(text) - 1}\u0001`;

/** JSON text of a request body, with the {@link rawJson} texts put in place. */
export function toJsonBody(body: unknown): string {
  return JSON.stringify(body).replace(/"\\u0001raw:(\d+)\\u0001"/g, (_, i: string) => rawTexts[Number(i)]);
}

const UNICODE_EDGES = [
  '\uFEFF', '\u2028\u2029', 'e\u0301', '👨‍👩‍👧‍👦', '\uFFFE\uFFFF', '\u{10FFFF}', '\u202Eevil', '\u0001\u001f\u007f', '"\\/',
  "'; DROP TABLE audit_events; --", '=HYPERLINK("x")', '\uD83D\uDE00', 'ǅ ß İ', '\u200B\u200D', '%00', '\\u0000',
];

/** Valid Unicode text: any code point but NUL (surrogates only in pairs), or a known edge case. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }).map((s) => s.replace(/\u0000/g, '')),
  fc.constantFrom(...UNICODE_EDGES),
);
const key = fc.oneof(text.filter((s) => s !== '__proto__'), fc.constantFrom('a/b', '~0', 'ü', '🔑', ''));
const finiteLiteral = fc.constantFrom('1e308', '-1.7976931348623157e308', '12345678901234567890', '9007199254740993', '1e-400', '-0', '0.1e-7');
const leaf = fc.oneof(
  text,
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  finiteLiteral.map(rawJson),
);
const { json } = fc.letrec<{ json: unknown; arr: unknown[]; obj: Record<string, unknown> }>((tie) => ({
  json: fc.oneof({ depthSize: 'small' }, leaf, tie('arr'), tie('obj')),
  arr: fc.array(tie('json'), { maxLength: 3 }),
  obj: fc.dictionary(key, tie('json'), { maxKeys: 3 }),
}));
const freeObject = fc.dictionary(key, json, { maxKeys: 4 });

/** `levels` nested containers (objects or arrays) around a leaf. */
function nest(levels: number, arrays: boolean): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = arrays ? [v] : { v };
  return v;
}

/** RFC 3339 text of an instant as seen at a UTC offset (minutes). */
function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const latestMs = Date.parse(LATEST_INSTANT);
/** Instants within the range, written at an offset whose local time stays within four-digit years. */
const validDate = fc
  .tuple(fc.integer({ min: 0, max: latestMs }), fc.integer({ min: -14 * 60, max: 14 * 60 }))
  .filter(([ms, off]) => ms + off * 60_000 >= 0 && ms + off * 60_000 <= latestMs)
  .map(([ms, off]) => withOffset(ms, off));
const EDGE_DATES: [string, boolean][] = [
  ['1970-01-01T00:00:00Z', true],
  ['1970-01-01T01:00:00+01:00', true],
  ['9999-12-31T23:59:59.999Z', true],
  ['9999-12-31T23:59:59.9999999Z', true],
  ['2024-02-29T12:00:00Z', true],
  ['1969-12-31T23:59:59.999Z', false],
  ['1970-01-01T00:00:00+01:00', false],
  ['0000-01-01T00:00:00Z', false],
  ['0001-01-01T00:00:00Z', false],
  ['1900-01-01T00:00:00Z', false],
  ['1901-01-01T00:00:00Z', false],
  ['9999-12-31T23:59:59-01:00', false],
  ['2023-02-29T12:00:00Z', false],
];

/** A valid base event of one of the types (the eventId is set when posted). */
const base = fc
  .record({ type: fc.constantFrom('action.attempted', 'action.failed', 'signal.rate_limited', 'change.recorded'), occurredAt: validDate, sessionId: text.filter((s) => s.length > 0 && s.length <= 200) })
  .map(({ type, occurredAt, sessionId }) => {
    const e: Record<string, unknown> = { type, occurredAt, sessionId, tool: { name: 'refund_order', riskLevel: 'destructive' } };
    if (type.startsWith('action.')) e.actionId = `act-${Math.random().toString(36).slice(2)}`;
    if (type === 'action.failed') e.error = { message: 'upstream refused' };
    if (type === 'change.recorded') Object.assign(e, { resource: { type: 'rule', id: 'r-1' }, changes: { before: null, after: { on: true } } });
    return e;
  });

/** An event whose JSON is `bytes` long (UTF-8), padded with `fill` in input.blob. */
function sized(e: Record<string, unknown>, bytes: number, fill: string): Record<string, unknown> {
  const shell = { ...e, eventId: '00000000-0000-4000-8000-000000000000', input: { blob: '' } };
  const room = bytes - Buffer.byteLength(JSON.stringify(shell));
  const unit = Buffer.byteLength(fill);
  const blob = fill.repeat(Math.floor(room / unit)) + 'x'.repeat(room % unit);
  return { ...e, input: { blob } };
}

const max = ACTION_EVENT_LIMITS.inputMaxBytes;
const pathTo = (...tokens: string[]) => tokens.map((t) => `/${escapePointerToken(t)}`).join('');

/** Valid events: ordinary content and edge cases the contract accepts. */
const validEvent: fc.Arbitrary<GeneratedEvent> = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(base, freeObject, freeObject).map(([e, input, metadata]) => ({ kind: 'ordinary', event: { ...e, input, metadata } })) },
  fc.tuple(base, fc.boolean()).map(([e, arrays]) => ({ kind: 'deepest allowed', event: { ...e, input: { v: nest(MAX_JSON_DEPTH - 2, arrays) } } })),
  fc.tuple(base, fc.constantFrom(...EDGE_DATES.filter(([, ok]) => ok).map(([d]) => d))).map(([e, occurredAt]) => ({ kind: `date ${occurredAt}`, event: { ...e, occurredAt } })),
  fc.tuple(base, fc.integer({ min: 0, max: 2_000 }), fc.constantFrom('x', '€', '😀')).map(([e, under, fill]) => ({ kind: 'large, within the limit', event: sized(e, max - under, fill) })),
);

/** Refused events: one defect each, with the pointer its error must name. */
const refusedEvent: fc.Arbitrary<GeneratedEvent> = fc.oneof(
  fc.tuple(base, freeObject, key, fc.constantFrom('\u0000', '\uD800', '\uDBFF'), text).map(([e, input, k, bad, s]) => ({
    kind: 'unsafe text in a value',
    stage: 1,
    event: { ...e, input: { ...input, zz: { [k]: [bad === '\u0000' ? `${s}${bad}${s}` : `${s}${bad}`] } } },
    refusedAt: pathTo('input', 'zz', k, '0'),
  })),
  fc.tuple(base, text).map(([e, s]) => ({ kind: 'lone low surrogate in a value', stage: 1, event: { ...e, input: { s: `\uDC00${s}` } }, refusedAt: pathTo('input', 's') })),
  fc.tuple(base, key, fc.constantFrom('\u0000', '\uD800', '\uDC00')).map(([e, k, bad]) => ({ kind: 'unsafe text in a key', stage: 1, event: { ...e, input: { [`${k}${bad}`]: 1 } }, refusedAt: pathTo('input', `${k}${bad}`) })),
  base.map((e) => ({ kind: 'NUL in sessionId', stage: 1, event: { ...e, sessionId: 'a\u0000b' }, refusedAt: '/sessionId' })),
  fc.tuple(base, fc.integer({ min: MAX_JSON_DEPTH - 1, max: MAX_JSON_DEPTH + 4 }), fc.boolean()).map(([e, levels, arrays]) => ({
    kind: `nested ${levels + 2} levels`,
    stage: 1,
    event: { ...e, input: { v: nest(levels, arrays) } },
    refusedAt: '/input',
  })),
  base.map((e) => ({ kind: 'nested 10,000 levels', stage: 1, event: { ...e, input: { v: rawJson(`${'['.repeat(10_000)}0${']'.repeat(10_000)}`) } }, refusedAt: '/input' })),
  fc.tuple(base, fc.constantFrom(...EDGE_DATES.filter(([, ok]) => !ok).map(([d]) => d))).map(([e, occurredAt]) => ({ stage: 2, kind: `date ${occurredAt}`, event: { ...e, occurredAt }, refusedAt: '/occurredAt' })),
  fc.tuple(base, fc.constantFrom('1e400', '-1e309', '1e999')).map(([e, lit]) => ({ kind: `number ${lit}`, stage: 1, event: { ...e, input: { n: rawJson(lit) } }, refusedAt: '/input/n' })),
  fc.tuple(base, fc.integer({ min: 1, max: 4_000 }), fc.constantFrom('x', '€')).map(([e, over, fill]) => ({ stage: 2, kind: 'over the size limit', event: sized(e, max + over, fill), refusedAt: '' })),
  fc.integer({ min: 12_000, max: 14_000 }).chain((n) =>
    base.map((e) => ({
      stage: 3,
      kind: 'over the size limit once redacted',
      // Each "tokenN":0 (13 bytes) becomes "tokenN":"[REDACTED]" (24): about 170 KiB before, over 280 KiB after.
      event: { ...e, input: Object.fromEntries(Array.from({ length: n }, (_, i) => [`token${i.toString(36)}`, 0])) },
      refusedAt: '',
    })),
  ),
  base.map((e) => ({ stage: 2, kind: 'metadata over its limit', event: { ...e, metadata: { m: 'x'.repeat(ACTION_EVENT_LIMITS.metadataMaxBytes) } }, refusedAt: '/metadata' })),
);

/** Counterexamples print as their kind and a bounded excerpt (values may be 256 KiB or 10,000 levels deep). */
function printable(g: GeneratedEvent): GeneratedEvent {
  let excerpt: string;
  try {
    excerpt = JSON.stringify(g.event).slice(0, 600);
  } catch {
    excerpt = '(too deep to print)';
  }
  return Object.assign(g, { [fc.toStringMethod]: () => `${g.kind}${g.refusedAt !== undefined ? ` (refused at ${JSON.stringify(g.refusedAt)})` : ''}: ${excerpt}` });
}

/** A request: one to three events, mostly valid. */
export const eventBatch = fc.array(fc.oneof({ weight: 3, arbitrary: validEvent }, { weight: 2, arbitrary: refusedEvent }).map(printable), { minLength: 1, maxLength: 3 });
